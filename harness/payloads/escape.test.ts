import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  escapeCookieValue, escapeGraphqlString, escapeHeaderValue, escapeMultipartQuoted, escapePath, escapeQueryValue, escapeQueryWhole, escapeXmlText,
} from "./escape.ts";

const cases: Array<[string, (s: string) => string, string, string]> = [
  ["query value keeps quotes and =", escapeQueryValue, "1' OR 1=1", "1'%20OR%201=1"],
  ["query value escapes & + #", escapeQueryValue, "a&b+c#d", "a%26b%2Bc%23d"],
  ["query value keeps pre-encoded %2f", escapeQueryValue, "..%2f..%2fetc", "..%2f..%2fetc"],
  ["query value escapes a lone %", escapeQueryValue, "100% sure", "100%25%20sure"],
  ["query value encodes non-ASCII as UTF-8", escapeQueryValue, "ü😀", "%C3%BC%F0%9F%98%80"],
  ["GraphQL string escapes quote and backslash", escapeGraphqlString, `a"b\\c`, `a\\"b\\\\c`],
  ["GraphQL string escapes line ends and controls", escapeGraphqlString, "a\nb\tc\u0001", "a\\nb\\tc\\u0001"],
  ["GraphQL string keeps quotes, < > and non-ASCII", escapeGraphqlString, "' OR 1=1 <script> ü", "' OR 1=1 <script> ü"],
  ["query value encodes controls", escapeQueryValue, "a\r\nb\tc", "a%0D%0Ab%09c"],
  ["whole query keeps & = +", escapeQueryWhole, "a=1&b=2+3", "a=1&b=2+3"],
  ["path keeps / and escapes ?", escapePath, "../a?b#c", "../a%3Fb%23c"],
  ["path escapes < > and backslash", escapePath, "<x>\\y", "%3Cx%3E%5Cy"],
  ["header keeps tab and quotes", escapeHeaderValue, "a\t\"b\"", "a\t\"b\""],
  ["header encodes CRLF and non-ASCII", escapeHeaderValue, "a\r\nü", "a%0D%0A%C3%BC"],
  ["header keeps % as written", escapeHeaderValue, "100% %zz", "100% %zz"],
  ["cookie escapes ;", escapeCookieValue, "a;b=c", "a%3Bb=c"],
  ["xml text escapes markup", escapeXmlText, "<a & b>", "&lt;a &amp; b&gt;"],
  ["xml text encodes forbidden controls", escapeXmlText, "a\fb\nc", "a%0Cb\nc"],
  ["multipart quoted escapes quote and CRLF", escapeMultipartQuoted, "a\"b\r\n.php", "a%22b%0D%0A.php"],
];

describe("carrier escaping", () => {
  for (const [name, fn, input, expected] of cases) it(name, () => assert.equal(fn(input), expected));
});

describe("escapeGraphqlString", () => {
  it("gives a literal that a GraphQL lexer reads back as the payload", () => {
    // GraphQL's string escapes are JSON's (\\uXXXX, \\n, \\", …) for the characters escaped here.
    for (const payload of [`x" } \\ {\n`, "\u0000\u001f\u007f", "'; DROP TABLE t;--", "{{7*7}}", "ü😀"])
      assert.equal(JSON.parse(`"${escapeGraphqlString(payload)}"`), payload);
  });
});
