import type { FtwInput } from "./schema.ts";

/**
 * The bytes an ftw stage sends, as go-ftw builds them: the request line, the headers in order, an empty line and
 * the body. `autocomplete_headers` (on by default) adds Content-Length for a body and `Connection: close`.
 * `encoded_request` is the whole request, base64, sent as it is.
 *
 * The result is a byte string (one character per byte, 0-255), because the raw sender writes it as latin1. The
 * YAML's own text (uri, header names and values, `data`) goes out as UTF-8, as go-ftw writes Go strings: a
 * fullwidth `＜` (U+FF1C) is EF BC 9C on the wire, not the single byte 1C that writing the character as latin1 gives
 * (Envoy answers a header holding 1C with 400 before the WAF sees it). `encoded_data` / `encoded_request` are bytes
 * already and go out unchanged.
 */
export function ftwRequestText(input: FtwInput): string {
  if (input.encoded_request !== undefined) return Buffer.from(input.encoded_request, "base64").toString("latin1");
  const headers: Array<[string, string]> = input.ordered_headers
    ? input.ordered_headers.map((h) => [utf8Bytes(h.name), utf8Bytes(h.value)])
    : Object.entries(input.headers ?? {}).map(([n, v]) => [utf8Bytes(n), utf8Bytes(v)]);
  const body = input.encoded_data !== undefined ? Buffer.from(input.encoded_data, "base64").toString("latin1") : utf8Bytes(input.data ?? "");
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (input.autocomplete_headers ?? !(input.stop_magic ?? false)) {
    if (body.length > 0 && !has("content-length") && !has("transfer-encoding")) headers.push(["Content-Length", String(body.length)]);
    if (!has("connection")) headers.push(["Connection", "close"]);
  }
  const version = input.version ?? "HTTP/1.1";
  const line = [input.method ?? "GET", input.uri ?? "/", version].filter((p) => p !== "").map(utf8Bytes).join(" ");
  return `${line}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n${body}`;
}

/** Text as its UTF-8 bytes, one character per byte (what `socket.write(s, "latin1")` then sends byte for byte). */
function utf8Bytes(text: string): string {
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, "utf8").toString("latin1");
}

/**
 * A shell command that sends exactly these bytes (a byte string as ftwRequestText gives) and prints the answer:
 * `printf` with every byte outside printable ASCII (and `%`, `\`, `'`) as a three-digit octal escape, so non-ASCII,
 * control and NUL bytes replay as sent, in any POSIX shell.
 */
export function ftwReplayCommand(baseUrl: string, raw: string): string {
  const url = new URL(baseUrl);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  let format = "";
  for (let i = 0; i < raw.length; i++) {
    const byte = raw.charCodeAt(i) & 0xff;
    if (byte === 0x0d) format += "\\r";
    else if (byte === 0x0a) format += "\\n";
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x25 && byte !== 0x5c && byte !== 0x27) format += String.fromCharCode(byte);
    else format += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  // nc -w 5: give up 5 s after the last byte (the proxy keeps the connection open after its answer).
  const sink = url.protocol === "https:" ? `openssl s_client -quiet -connect ${url.hostname}:${port}` : `nc -w 5 ${url.hostname} ${port}`;
  return `printf '${format}' | ${sink}`;
}
