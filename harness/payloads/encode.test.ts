import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encode, encoders } from "./encode.ts";
import { ENCODINGS, type Encoding } from "./schema.ts";

const cases: Array<[Encoding, string, string]> = [
  ["none", "' OR 1=1-- ü", "' OR 1=1-- ü"],
  ["url", "' OR 1=1", "%27%20OR%201%3D1"],
  ["url", "a-b_c.d~e/ü", "a-b_c.d~e%2F%C3%BC"],
  ["double-url", "'<", "%2527%253C"],
  ["unicode-u", "<a b='1'>", "%u003Ca%u0020b%u003D%u00271%u0027%u003E"],
  ["unicode-u", "é😀", "%u00E9%uD83D%uDE00"],
  ["html-entities", "<img src=x onerror=alert(1)>", "&#x3C;img src&#x3D;x onerror&#x3D;alert&#x28;1&#x29;&#x3E;"],
  ["html-entities", "Grüße 42", "Grüße 42"],
  ["case-mix", "union select", "UnIoN sElEcT"],
  ["case-mix", "<script>", "<ScRiPt>"],
  ["comment-obfuscation", "1 UNION  SELECT\tpassword", "1/**/UNION/**/SELECT/**/password"],
  ["whitespace-obfuscation", "a b c d e f g", "a\tb\nc\fd\re\vf\tg"],
  ["base64", "${jndi:ldap://x}", "JHtqbmRpOmxkYXA6Ly94fQ=="],
  ["base64", "ü", "w7w="],
];

describe("encodings", () => {
  for (const [encoding, input, expected] of cases) {
    it(`${encoding}: ${JSON.stringify(input)}`, () => assert.equal(encode(input, encoding), expected));
  }

  it("has a function for every encoding in the schema", () => {
    assert.deepEqual(Object.keys(encoders).sort(), [...ENCODINGS].sort());
  });

  it("is deterministic (same input, same output, every time)", () => {
    const input = "1' union select password from users -- <script>alert(1)</script>";
    for (const encoding of ENCODINGS) assert.equal(encode(input, encoding), encode(input, encoding), encoding);
  });

  it("url encodings round-trip through decodeURIComponent", () => {
    const input = "../../etc/passwd?x=1&y=<ü>";
    assert.equal(decodeURIComponent(encode(input, "url")), input);
    assert.equal(decodeURIComponent(decodeURIComponent(encode(input, "double-url"))), input);
  });
});
