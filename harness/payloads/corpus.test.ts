import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { corpusJsonSchema, SCHEMA_PATH } from "./export-schema.ts";
import { expandCases } from "./expand.ts";
import { DEFAULT_PAYLOAD_DIR, loadCorpus } from "./load.ts";
import { corpusStats } from "./stats.ts";

/** The corpus shipped in payloads/ (not WAF_PAYLOADS: a team's extra files must not change this test). */
const cases = loadCorpus([DEFAULT_PAYLOAD_DIR]);
const requests = expandCases(cases);
const stats = corpusStats(requests);

/** Hosts a payload may name: reserved test/example names, loopback, link-local metadata, documentation ranges, XML namespaces. */
const ALLOWED_HOST = [
  /(^|\.)example\.test$/, /(^|\.)example$/, /^attacker\.example$/, /^localhost$/, /^127\.0\.0\.1$/, /^\[::1\]$/,
  /^169\.254\.169\.254$/, /^0xa9fea9fe$/, /^2852039166$/, /^metadata\.google\.internal$/, /^203\.0\.113\.\d+$/,
  /^www\.w3\.org$/, /^schemas\.xmlsoap\.org$/, /^\{\{host\}\}$/,
];

describe("the shipped corpus", () => {
  it("meets the size and coverage floor", () => {
    assert.ok(stats.attacks >= 600, `attack requests: ${stats.attacks}`);
    assert.ok(stats.benign >= 300, `benign requests: ${stats.benign}`);
    const attackClasses = Object.keys(stats.byClass).filter((c) => c !== "benign");
    assert.ok(attackClasses.length >= 12, `attack classes: ${attackClasses.join(", ")}`);
    const categories = new Set(requests.filter((r) => r.expect === "block").map((r) => r.owasp2025));
    assert.ok(categories.size >= 4, `OWASP 2025 categories: ${[...categories].join(", ")}`);
    for (const category of ["A01:2025", "A02:2025", "A03:2025", "A05:2025", "A07:2025", "A08:2025", "A10:2025"])
      assert.ok(categories.has(category), `no attack for ${category}`);
  });

  it("has unique, stable-looking request ids", () => {
    assert.equal(new Set(requests.map((r) => r.id)).size, requests.length);
    for (const r of requests) assert.match(r.id, /^[a-z0-9-]+\/(raw|query|path|cookie|form|json|json-nested|json-array|json-key|graphql-query|graphql-variables|xml|multipart-field|multipart-filename|websocket|header:[^/]+)\/[a-z0-9-]+$/);
  });

  it("states a paranoia level for every attack it expects blocked", () => {
    const missing = requests.filter((r) => r.expect === "block" && r.paranoia === undefined).map((r) => r.id);
    assert.deepEqual(missing, []);
  });

  it("produces requests an HTTP client can send", () => {
    for (const r of requests) {
      if (r.transport === "raw") {
        assert.ok(r.raw.includes("\r\n\r\n"), r.id);
        assert.ok(!/[^\r]\n/.test(r.raw), `${r.id}: bare LF`);
        if (r.placement === "websocket") {
          // The upgrade's head only, every header value sendable.
          assert.ok(r.raw.endsWith("\r\n\r\n") && r.raw.indexOf("\r\n\r\n") === r.raw.length - 4, `${r.id}: one header block`);
          for (const [name, value] of r.headers) assert.match(value, /^[\t\x20-\x7e]*$/, `${r.id}: header ${name}`);
        }
        continue;
      }
      assert.match(r.method, /^[A-Z]+$/, r.id);
      assert.match(r.path, /^\/[\x21-\x7e]*$/, `${r.id}: path ${r.path}`);
      for (const [name, value] of r.headers) {
        assert.match(name, /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, `${r.id}: header name ${name}`);
        assert.match(value, /^[\t\x20-\x7e]*$/, `${r.id}: header ${name}`);
      }
      assert.ok(!r.headers.some(([n]) => n.toLowerCase() === "host"), `${r.id}: sets Host`);
      if (r.body !== undefined && r.method !== "GET")
        assert.ok(r.headers.some(([n]) => n.toLowerCase() === "content-type"), `${r.id}: body without Content-Type`);
      if (r.placement === "json" || r.placement.startsWith("json-") || r.placement.startsWith("graphql-")) assert.doesNotThrow(() => JSON.parse(String(r.body)), r.id);
    }
  });

  it("names only reserved or test hosts inside payloads", () => {
    for (const r of requests) {
      const text = [r.path, ...r.headers.map(([, v]) => v), String(r.body ?? ""), r.transport === "raw" ? r.raw : ""].join("\n");
      for (const [, host] of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s"'<>]*@)?(\[[^\]]+\]|[^/:?#\s"'<>\\)&;,]+)/gi)) {
        const bare = decodeURIComponent(host!.replace(/%(?![0-9a-f]{2})/gi, "%25")).toLowerCase();
        if (/^[$%]/.test(bare) || /^(input|filter|text|id)$/.test(bare)) continue; // php://input, expect://id, ${env:...}
        assert.ok(ALLOWED_HOST.some((re) => re.test(bare)), `${r.id}: host ${bare}`);
      }
    }
  });

  it("points every file at the JSON Schema for editors", () => {
    for (const source of new Set(cases.map((c) => c.source))) {
      const file = source.startsWith("/") ? source : join(process.cwd(), source);
      const rel = relative(join(file, ".."), SCHEMA_PATH);
      assert.ok(readFileSync(file, "utf8").startsWith(`# yaml-language-server: $schema=${rel.startsWith(".") ? rel : `./${rel}`}\n`), source);
    }
  });

  it("ships payloads/schema.json generated from the zod schema (run: npx tsx harness/payloads/export-schema.ts)", () => {
    assert.deepEqual(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")), corpusJsonSchema());
  });
});
