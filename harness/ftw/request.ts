import type { FtwInput } from "./schema.ts";

/**
 * The bytes an ftw stage sends, as go-ftw builds them: the request line, the headers in order, an empty line and
 * the body. `autocomplete_headers` (on by default) adds Content-Length for a body and `Connection: close`.
 * `encoded_request` is the whole request, base64, sent as it is.
 */
export function ftwRequestText(input: FtwInput): string {
  if (input.encoded_request !== undefined) return Buffer.from(input.encoded_request, "base64").toString("latin1");
  const headers: Array<[string, string]> = input.ordered_headers
    ? input.ordered_headers.map((h) => [h.name, h.value])
    : Object.entries(input.headers ?? {});
  const body = input.encoded_data !== undefined ? Buffer.from(input.encoded_data, "base64").toString("latin1") : (input.data ?? "");
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (input.autocomplete_headers ?? !(input.stop_magic ?? false)) {
    if (body.length > 0 && !has("content-length") && !has("transfer-encoding")) headers.push(["Content-Length", String(Buffer.byteLength(body, "latin1"))]);
    if (!has("connection")) headers.push(["Connection", "close"]);
  }
  const version = input.version ?? "HTTP/1.1";
  const line = [input.method ?? "GET", input.uri ?? "/", version].filter((p) => p !== "").join(" ");
  return `${line}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n${body}`;
}
