import { request as requestHttp, type IncomingHttpHeaders } from "node:http";
import { connect as connectHttp2, constants } from "node:http2";
import { requestTarget } from "./request-target.ts";
import { request as requestHttps } from "node:https";
import type { Target } from "./target.ts";
import { assertAllowed } from "./target.ts";
import { responseOutcome, type Outcome, type RequestSpec } from "./request.ts";
import { tlsConnectOptions } from "./tls-options.ts";
import { effectiveHeaders } from "./send.ts";

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2): the framing says what they said in HTTP/1.1. */
const CONNECTION_SPECIFIC = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host"]);

/**
 * Requests undici cannot send go through Node's own clients: a streamed body (trailers), and over HTTP/2 a body on a
 * method that does not expect one (a GET with a body: undici 7's h2 client drops its Content-Length, then asserts).
 */
export function needsNodeClient(target: Pick<Target, "http">, spec: Pick<RequestSpec, "streamed" | "body" | "method">): boolean {
  return spec.streamed !== undefined || (target.http === "2" && spec.body !== undefined && !["POST", "PUT", "PATCH"].includes(spec.method));
}

/**
 * A request whose body goes without a Content-Length (chunked over HTTP/1.1, bare DATA frames over HTTP/2), with
 * trailers after it when the spec has them: what undici cannot send. Node's own clients do it; like send(), it
 * never throws for network trouble.
 */
export async function sendStreamed(target: Target, spec: RequestSpec, options: { baseUrl?: string; timeoutMs?: number } = {}): Promise<Outcome> {
  const baseUrl = options.baseUrl ?? target.baseUrl;
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body as string | Uint8Array);
  // Streamed: no Content-Length (the point of the case); otherwise the body's own length, as any client sends it.
  const headers: Array<[string, string]> = [
    ...effectiveHeaders(target, spec).filter(([n]) => n.toLowerCase() !== "content-length"),
    ...(spec.streamed || spec.body === undefined ? [] : [["content-length", String(body.byteLength)] as [string, string]]),
  ];
  const host = headers.find(([n]) => n.toLowerCase() === "host")?.[1] ?? new URL(baseUrl).host;
  assertAllowed(target, baseUrl, host);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  const trailers = Object.fromEntries((spec.streamed?.trailers ?? []).map(([n, v]) => [n.toLowerCase(), v]));
  const tls = tlsConnectOptions(target);
  const answer = (status: number, responseHeaders: IncomingHttpHeaders, received: Buffer): Outcome =>
    responseOutcome(status, Object.fromEntries(Object.entries(responseHeaders).filter(([n, v]) => !n.startsWith(":") && v !== undefined)) as Record<string, string | string[]>, received, elapsedMs());
  const failed = (error: NodeJS.ErrnoException): Outcome => ({ kind: "error", code: error.code ?? error.name, message: error.message, elapsedMs: elapsedMs() });

  if (target.http === "2") {
    return new Promise<Outcome>((resolve) => {
      const session = connectHttp2(baseUrl, tls);
      const done = (outcome: Outcome) => {
        clearTimeout(timer);
        session.close();
        session.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => done(failed(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: "ETIMEDOUT" }))), timeoutMs);
      session.on("error", (error) => done(failed(error)));
      const h2Headers: Record<string, string | string[]> = {
        [constants.HTTP2_HEADER_METHOD]: spec.method,
        [constants.HTTP2_HEADER_PATH]: spec.path,
        [constants.HTTP2_HEADER_AUTHORITY]: host,
      };
      for (const [n, v] of headers) {
        const name = n.toLowerCase();
        if (CONNECTION_SPECIFIC.has(name)) continue;
        const prior = h2Headers[name];
        h2Headers[name] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
      }
      const stream = session.request(h2Headers, { endStream: false, waitForTrailers: Object.keys(trailers).length > 0 });
      stream.on("wantTrailers", () => stream.sendTrailers(trailers));
      const chunks: Buffer[] = [];
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      stream.on("response", (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        responseHeaders = h;
      });
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => done(answer(status, responseHeaders, Buffer.concat(chunks))));
      stream.on("error", (error) => done(failed(error)));
      stream.end(body);
    });
  }

  return new Promise<Outcome>((resolve) => {
    const url = new URL(baseUrl);
    const send = url.protocol === "https:" ? requestHttps : requestHttp;
    const { path } = requestTarget(baseUrl, spec.path); // as written, not as a URL parser rewrites it
    // Without a Content-Length Node frames the body chunked, and the trailers go after the last chunk.
    const announced: Array<[string, string]> = Object.keys(trailers).length > 0 ? [["Trailer", Object.keys(trailers).join(", ")]] : [];
    const req = send({ protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ""), port: url.port, path, method: spec.method, headers: [...headers, ...announced].flat(), timeout: timeoutMs, ...(url.protocol === "https:" && tls) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(answer(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
      res.on("error", (error) => resolve(failed(error)));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", (error) => resolve(failed(error)));
    req.write(body);
    if (Object.keys(trailers).length > 0) req.addTrailers(trailers);
    req.end();
  });
}
