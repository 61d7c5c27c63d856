import { Agent, type Dispatcher } from "undici";
import type { Target } from "./target.ts";
import { assertAllowed } from "./target.ts";
import { REDACTED } from "./redact.ts";
import { requestTarget } from "./request-target.ts";
import { responseOutcome, type Outcome, type RequestSpec } from "./request.ts";
import { tlsConnectOptions } from "./tls-options.ts";

export interface SendOptions {
  /** Per-request budget: connect + headers + body. */
  timeoutMs?: number;
  /** Send to this base URL instead of the target's (e.g. httpbin directly). */
  baseUrl?: string;
  /** Keep the whole body in the outcome (not only its first KiB). */
  captureBody?: boolean;
}

/** One keep-alive pool per target, with TLS options as the target says. */
export function createDispatcher(target: Target): Dispatcher {
  return new Agent({
    // HTTP/2 is negotiated by ALPN (TLS only); a server that picks http/1.1 is caught by the records' protocol.
    allowH2: target.http === "2",
    keepAliveTimeout: 10_000,
    connections: target.concurrency ?? 8,
    connect: { timeout: 5_000, ...tlsConnectOptions(target) },
  });
}

/**
 * The headers a request goes out with: the target's Host, the target's configured headers (auth: secrets), then
 * the request's own. `redact` replaces the configured ones' values, and only those: a corpus cookie or
 * Authorization header is the payload under test and stays as sent, so a reproducer replays the attack.
 */
export function effectiveHeaders(target: Pick<Target, "hostHeader" | "headers">, spec: Pick<RequestSpec, "headers">, redact = false): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const given = new Set(spec.headers.map(([n]) => n.toLowerCase()));
  if (target.hostHeader && !given.has("host")) headers.push(["host", target.hostHeader]);
  for (const [n, v] of Object.entries(target.headers)) if (!given.has(n.toLowerCase())) headers.push([n, redact ? REDACTED : v]);
  return [...headers, ...spec.headers];
}

/**
 * Sends one request and never throws for network trouble: timeouts, resets and refusals come back as an
 * `error` outcome so that they are reported as infrastructure errors, not as verdicts.
 */
export async function send(target: Target, dispatcher: Dispatcher, spec: RequestSpec, options: SendOptions = {}): Promise<Outcome> {
  const baseUrl = options.baseUrl ?? target.baseUrl;
  const headers = effectiveHeaders(target, spec);
  assertAllowed(target, baseUrl, headers.find(([n]) => n.toLowerCase() === "host")?.[1]);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const started = performance.now();
  try {
    // The path goes out as written (request-target.ts), not as a URL parser would rewrite it.
    const response = await dispatcher.request({
      ...requestTarget(baseUrl, spec.path),
      method: spec.method as Dispatcher.HttpMethod,
      headers: headers.flat(),
      body: spec.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      // undici takes the SNI from the Host header unless told otherwise; tls.servername must win.
      ...(target.tls?.servername && { servername: target.tls.servername }),
    } as Dispatcher.RequestOptions);
    const body = Buffer.from(await response.body.arrayBuffer());
    return responseOutcome(response.statusCode, response.headers as Record<string, string | string[]>, body, performance.now() - started, options.captureBody);
  } catch (error) {
    const err = error as Error & { code?: string };
    return { kind: "error", code: err.code ?? err.name, message: err.message, elapsedMs: performance.now() - started };
  }
}
