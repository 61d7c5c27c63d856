// The public surface of harness/http: what other folders, scripts, suites and tests use. Import it as
// ../http/index.ts; files inside harness/http import each other directly, never through this file.
export { assertOffersHttp2 } from "./alpn.ts";
export { curlReproducer, rawReproducer, shellQuote, streamedReproducer, type ReplayTarget } from "./curl.ts";
export { http1HeadLines } from "./http1-head.ts";
export { wireProtocol, type WireProtocol } from "./protocol.ts";
export { sendRaw } from "./raw-send.ts";
export { REDACTED, redactText } from "./redact.ts";
export { replayFileReferences, replayFiles } from "./replay-files.ts";
export type { Outcome, RequestSpec } from "./request.ts";
export { needsNodeClient, sendStreamed } from "./send-streamed.ts";
export { createDispatcher, effectiveHeaders, send } from "./send.ts";
export { assertAllowed, type HttpVersion, type Target } from "./target.ts";
export { tlsConnectOptions } from "./tls-options.ts";
