/**
 * The escaping each carrier needs so a request is well-formed, and no more: the payload is sent as written wherever
 * the carrier allows. A `%` followed by two hex digits is kept (pre-encoded payloads like `%2e%2e%2f` stay as they
 * are); any other `%` becomes `%25`. Control characters and non-ASCII text are percent-encoded as UTF-8 where the
 * carrier is a URL, header or cookie.
 */

const QUERY_VALUE = new Set(` "#&+<>\\^\`{|}`);
const QUERY_WHOLE = new Set(` "#<>\\^\`{|}`);
const PATH = new Set(` "#?<>\\^\`{|}`);
const HEADER = new Set<string>();
const COOKIE_VALUE = new Set(";");
const URL_TEXT = { strictPercent: true, keepTab: false };
const HEADER_TEXT = { strictPercent: false, keepTab: true };

/** A value in a query string or urlencoded form: `&`, `+` and `#` are escaped so the value stays one value. */
export const escapeQueryValue = (s: string) => percentEscape(s, QUERY_VALUE, URL_TEXT);
/** A parameter name: as a value, plus `=`. */
export const escapeQueryName = (s: string) => percentEscape(s, new Set([...QUERY_VALUE, "="]), URL_TEXT);
/** A whole query string or form body written by the author: `&`, `=` and `+` keep their meaning. */
export const escapeQueryWhole = (s: string) => percentEscape(s, QUERY_WHOLE, URL_TEXT);
/** Path text: `/` is kept (traversal payloads need it), `?` and `#` are escaped. */
export const escapePath = (s: string) => percentEscape(s, PATH, URL_TEXT);
/** A header value: only what a client refuses (controls, non-ASCII) is escaped. */
export const escapeHeaderValue = (s: string) => percentEscape(s, HEADER, HEADER_TEXT);
/** A cookie value: as a header value, plus `;` so the value stays one cookie. */
export const escapeCookieValue = (s: string) => percentEscape(s, COOKIE_VALUE, HEADER_TEXT);

/** Text content of an XML element; controls XML 1.0 forbids are percent-encoded (they would make the body invalid). */
export function escapeXmlText(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, (ch) => `%${hex2(ch.charCodeAt(0))}`);
}

/** A quoted multipart parameter (e.g. filename): `"`, CR and LF are percent-encoded, as browsers do. */
export function escapeMultipartQuoted(s: string): string {
  return s.replace(/["\r\n]/g, (ch) => `%${hex2(ch.charCodeAt(0))}`);
}

function percentEscape(s: string, extra: ReadonlySet<string>, mode: { strictPercent: boolean; keepTab: boolean }): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = ch.charCodeAt(0);
    if (ch === "%") {
      out += !mode.strictPercent || /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3)) ? "%" : "%25";
    } else if (ch === "\t" && mode.keepTab) {
      out += ch;
    } else if (code < 0x20 || code === 0x7f || code > 0x7e || extra.has(ch)) {
      const char = String.fromCodePoint(s.codePointAt(i)!);
      for (const byte of Buffer.from(char, "utf8")) out += `%${hex2(byte)}`;
      i += char.length - 1;
    } else out += ch;
  }
  return out;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}

/**
 * The body of a GraphQL string literal (between its double quotes): `"` and `\` are escaped with a backslash, line
 * ends and other controls become `\n`, `\r`, `\t`, `\b`, `\f` or `\uXXXX` (a GraphQL string may not hold them raw).
 * Everything else stays as written. The query text is then put into JSON by JSON.stringify, which escapes again.
 */
export function escapeGraphqlString(s: string): string {
  const named: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
  return s.replace(/["\\\x00-\x1f\x7f]/g, (ch) => named[ch] ?? `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
