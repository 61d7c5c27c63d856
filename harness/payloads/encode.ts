import type { Encoding } from "./schema.ts";

/**
 * Payload obfuscations, each a pure, deterministic string → string function.
 * They change what the attacker writes; the placement then adds only the escaping its carrier needs (see expand.ts).
 */
export const encoders: Record<Encoding, (payload: string) => string> = {
  none: (s) => s,
  url: urlEncodeAll,
  "double-url": (s) => urlEncodeAll(urlEncodeAll(s)),
  "unicode-u": unicodeU,
  "html-entities": htmlEntities,
  "case-mix": caseMix,
  "comment-obfuscation": commentObfuscation,
  "whitespace-obfuscation": whitespaceObfuscation,
  base64: (s) => Buffer.from(s, "utf8").toString("base64"),
};

export function encode(payload: string, encoding: Encoding): string {
  return encoders[encoding](payload);
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every UTF-8 byte except RFC 3986 unreserved characters (upper-case hex). */
export function urlEncodeAll(s: string): string {
  let out = "";
  for (const ch of s) {
    if (UNRESERVED.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `%${hex2(byte)}`;
  }
  return out;
}

/** IIS-style %uXXXX for every UTF-16 code unit that is not a letter or digit. */
function unicodeU(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    out += /[A-Za-z0-9]/.test(ch) ? ch : `%u${s.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** Hex numeric character references for ASCII punctuation and symbols (letters, digits, spaces and non-ASCII stay). */
function htmlEntities(s: string): string {
  return s.replace(/[!-/:-@[-`{-~]/g, (ch) => `&#x${hex2(ch.charCodeAt(0))};`);
}

/** Letters alternate upper/lower case, counting letters only: `select` → `SeLeCt`. */
function caseMix(s: string): string {
  let n = 0;
  return s.replace(/[A-Za-z]/g, (ch) => (n++ % 2 === 0 ? ch.toUpperCase() : ch.toLowerCase()));
}

/** Each run of whitespace becomes an empty SQL inline comment, so `1 OR 1=1` reads `1` + comment + `OR` + comment + `1=1`. */
function commentObfuscation(s: string): string {
  return s.replace(/\s+/g, "/**/");
}

const WHITESPACE_CYCLE = ["\t", "\n", "\f", "\r", "\v"];

/** Each space becomes, in turn, tab, LF, FF, CR, VT (a fixed cycle, not random). */
function whitespaceObfuscation(s: string): string {
  let n = 0;
  return s.replace(/ /g, () => WHITESPACE_CYCLE[n++ % WHITESPACE_CYCLE.length]!);
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}
