import { http1HeadLines } from "./http1-head.ts";
import type { RequestSpec } from "./request.ts";

/** A curl command that replays the request, for reports. Header values must already be redacted. */
export function curlReproducer(baseUrl: string, spec: Pick<RequestSpec, "method" | "path" | "headers" | "body">, options: readonly string[] = []): string {
  const parts = ["curl", "-sS", "-i", "--path-as-is", ...options.map(shellQuote)];
  if (spec.method === "HEAD") parts.push("-I");
  else if (spec.method !== "GET" || spec.body !== undefined) parts.push("-X", shellQuote(spec.method));
  for (const [name, value] of spec.headers) parts.push("-H", shellQuote(`${name}: ${value}`));
  if (spec.body !== undefined) {
    const text = typeof spec.body === "string" ? spec.body : Buffer.from(spec.body).toString("latin1");
    parts.push("--data-binary", shellQuote(text));
  }
  parts.push(shellQuote(`${baseUrl}${spec.path}`));
  return parts.join(" ");
}

/** POSIX single-quoting: safe for any byte except NUL. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./:=@%+,]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A body without Content-Length plus trailers, which curl cannot send: over HTTP/2 nghttp (nghttp2-client) sends
 * them; over HTTP/1.1 the chunked bytes go through rawReproducer.
 */
export function streamedReproducer(baseUrl: string, spec: Pick<RequestSpec, "method" | "path" | "headers" | "body"> & Required<Pick<RequestSpec, "streamed">>, http2: boolean): string {
  const body = spec.body === undefined ? "" : typeof spec.body === "string" ? spec.body : Buffer.from(spec.body).toString("latin1");
  if (http2) {
    const parts = ["nghttp", "-v", "--no-content-length", "-H", shellQuote(`:method: ${spec.method}`)];
    for (const [name, value] of spec.headers) parts.push("-H", shellQuote(`${name.toLowerCase() === "host" ? ":authority" : name}: ${value}`));
    for (const [name, value] of spec.streamed.trailers) parts.push(`--trailer=${shellQuote(`${name}: ${value}`)}`);
    return `printf '%s' ${shellQuote(body)} | ${parts.join(" ")} -d - ${shellQuote(`${baseUrl}${spec.path}`)}`;
  }
  const head = [...http1HeadLines(spec.method, spec.path, spec.headers, new URL(baseUrl).host), "Transfer-Encoding: chunked"];
  if (spec.streamed.trailers.length > 0) head.push(`Trailer: ${spec.streamed.trailers.map(([n]) => n).join(", ")}`);
  const size = Buffer.byteLength(body, "latin1");
  const chunks = size > 0 ? `${size.toString(16)}\r\n${body}\r\n` : "";
  const trailers = spec.streamed.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join("");
  return rawReproducer(baseUrl, `${head.join("\r\n")}\r\n\r\n${chunks}0\r\n${trailers}\r\n`);
}

/** For requests curl cannot send (duplicate Host, CL+TE, folded lines): the bytes, piped to nc or openssl. */
export function rawReproducer(baseUrl: string, raw: string): string {
  const url = new URL(baseUrl);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const bytes = `$'${raw.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\r/g, "\\r").replace(/\n/g, "\\n")}'`;
  // nc -w 5: give up 5 s after the last byte (the proxy keeps the connection open after its answer).
  const sink = url.protocol === "https:" ? `openssl s_client -quiet -connect ${url.hostname}:${port}` : `nc -w 5 ${url.hostname} ${port}`;
  return `printf '%s' ${bytes} | ${sink}`;
}
