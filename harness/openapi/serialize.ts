// A parameter's value on the wire, in the encoding its OpenAPI style implies (RFC 6570 expansions): path `simple`,
// `label`, `matrix`; query `form` (exploded or not), `spaceDelimited`, `pipeDelimited`, `deepObject`; header
// `simple`; cookie `form`. Bodies: JSON, urlencoded form, multipart form, plain text. Pure.
import type { Parameter } from "./operation.ts";

/** Percent-encoding of a value (UTF-8; lone surrogates become U+FFFD instead of throwing). */
export function pct(value: string, allowReserved = false): string {
  const utf8 = Buffer.from(value, "utf8");
  let out = "";
  for (const byte of utf8) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(ch) || (allowReserved && /[:/?#[\]@!$&'()*+,;=]/.test(ch))) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const text = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
const entries = (v: unknown): Array<[string, unknown]> => (v && typeof v === "object" && !Array.isArray(v) ? Object.entries(v) : []);

/** The text that replaces `{name}` in the path. */
export function pathValue(p: Parameter, value: unknown): string {
  const enc = (v: unknown) => pct(text(v));
  const list = Array.isArray(value) ? value.map(enc) : undefined;
  const pairs = entries(value).map(([k, v]) => [pct(k), enc(v)] as const);
  const isObject = !Array.isArray(value) && pairs.length > 0 && typeof value === "object";
  switch (p.style) {
    case "label": {
      const sep = p.explode ? "." : ",";
      return `.${list ? list.join(sep) : isObject ? pairs.map(([k, v]) => (p.explode ? `${k}=${v}` : `${k},${v}`)).join(sep) : enc(value)}`;
    }
    case "matrix": {
      const name = pct(p.name);
      if (list) return p.explode ? list.map((v) => `;${name}=${v}`).join("") : `;${name}=${list.join(",")}`;
      if (isObject) return p.explode ? pairs.map(([k, v]) => `;${k}=${v}`).join("") : `;${name}=${pairs.map(([k, v]) => `${k},${v}`).join(",")}`;
      return `;${name}=${enc(value)}`;
    }
    default:
      if (list) return list.join(",");
      if (isObject) return pairs.map(([k, v]) => (p.explode ? `${k}=${v}` : `${k},${v}`)).join(",");
      return enc(value);
  }
}

/** The `name=value` pieces a query parameter adds to the query string. */
export function queryPieces(p: Parameter, value: unknown): string[] {
  const enc = (v: unknown) => pct(text(v), p.allowReserved);
  const name = pct(p.name);
  if (Array.isArray(value)) {
    if (p.style === "spaceDelimited") return [`${name}=${value.map(enc).join("%20")}`];
    if (p.style === "pipeDelimited") return [`${name}=${value.map(enc).join("|")}`];
    return p.explode ? value.map((v) => `${name}=${enc(v)}`) : [`${name}=${value.map(enc).join(",")}`];
  }
  const pairs = entries(value);
  if (pairs.length > 0 && typeof value === "object") {
    if (p.style === "deepObject") return pairs.map(([k, v]) => `${name}%5B${pct(k)}%5D=${enc(v)}`);
    return p.explode ? pairs.map(([k, v]) => `${pct(k)}=${enc(v)}`) : [`${name}=${pairs.map(([k, v]) => `${pct(k)},${enc(v)}`).join(",")}`];
  }
  return [`${name}=${enc(value)}`];
}

/** A header's value (simple style), or undefined when it cannot travel in a header (a line break, a NUL, non-Latin-1 text). */
export function headerValue(p: Parameter, value: unknown): string | undefined {
  const out = Array.isArray(value)
    ? value.map(text).join(",")
    : entries(value).length > 0 && typeof value === "object"
      ? entries(value).map(([k, v]) => (p.explode ? `${k}=${text(v)}` : `${k},${text(v)}`)).join(",")
      : text(value);
  return headerSafe(out) ? out : undefined;
}

/** Text an HTTP client sends as a header value as it is (no CR, LF, NUL or other controls but tab; Latin-1 only). */
export const headerSafe = (s: string): boolean => !/[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/.test(s);

/** `name=value` of a cookie (form style: the value percent-encoded). */
export function cookiePiece(p: Parameter, value: unknown): string {
  const v = Array.isArray(value) ? value.map((x) => pct(text(x))).join(",") : pct(text(value));
  return `${p.name}=${v}`;
}

/** An object as an urlencoded form body (nested values as JSON text, arrays as repeated fields). */
export function formBody(value: unknown): string {
  return entries(value)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${pct(k)}=${pct(text(x))}`) : [`${pct(k)}=${pct(text(v))}`]))
    .join("&");
}

export const MULTIPART_BOUNDARY = "----wafcheckOpenApiBoundary7Rq2Xz";

/** An object as a multipart/form-data body: one part per field (format binary fields as file parts). */
export function multipartBody(value: unknown, binaryFields: ReadonlySet<string>): string {
  const parts = entries(value).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const]));
  const quoted = (s: string) => s.replace(/["\\\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  const body = parts
    .map(([k, v]) =>
      binaryFields.has(k)
        ? `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${quoted(k)}"; filename="${quoted(k)}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${text(v) || "wafcheck sample"}\r\n`
        : `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${quoted(k)}"\r\n\r\n${text(v)}\r\n`,
    )
    .join("");
  return `${body}--${MULTIPART_BOUNDARY}--\r\n`;
}
