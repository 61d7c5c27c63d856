import assert from "node:assert/strict";
import { test } from "node:test";
import type { VerdictsFile } from "./verdicts.ts";
import { compareProtocols, differenceLine, protocolDifferenceResult } from "./protocol-diff.ts";

type Entry = VerdictsFile["requests"][string];
const file = (requests: Record<string, Entry>): VerdictsFile => ({
  schemaVersion: 1, generatedAt: "2026-12-04T00:00:00Z", target: { name: "local", url: "http://127.0.0.1:1" }, manifest: "m", pluginConfigSha256: "x", stack: null, requests,
});
const blocked = (protocol: string, rules = [942100, 949110]): Entry => ({ verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules, protocol, reproducer: `curl ${protocol}` });
const bypass = (protocol: string): Entry => ({ verdict: "allowed", test: "t", judgement: "bypass", status: 200, rules: [942100], protocol });
const passed = (protocol: string): Entry => ({ verdict: "allowed", test: "b", judgement: "true-negative", status: 200, rules: [], protocol });
const fp = (protocol: string): Entry => ({ verdict: "blocked", test: "b", judgement: "false-positive", status: 403, rules: [920420], protocol });

test("an attack blocked over HTTP/1.1 only is a bypass over HTTP/2; a benign request blocked over HTTP/2 only a false positive there", () => {
  const { comparison, differences } = compareProtocols(
    file({ a: blocked("HTTP/1.1"), b: blocked("HTTP/1.1"), c: passed("HTTP/1.1"), d: bypass("HTTP/1.1") }),
    file({ a: bypass("HTTP/2"), b: blocked("HTTP/2"), c: fp("HTTP/2"), d: blocked("HTTP/2") }),
  );
  assert.equal(comparison.compared, 4);
  assert.deepEqual(differences.map((d) => [d.id, d.kind]), [["a", "bypass-over-http2"], ["c", "false-positive-over-http2"], ["d", "bypass-over-http1"]]);
  assert.equal(comparison.counts["bypass-over-http2"], 1);
  assert.equal(comparison.differences, 3);
  assert.equal(differences[0]!.http1.reproducer, "curl HTTP/1.1");
  assert.match(differenceLine(differences[0]!), /^a: blocked over HTTP\/1\.1 but reached the app over HTTP\/2 \(HTTP\/1\.1 blocked 403 \[942100, 949110\]; HTTP\/2 allowed 200 \[942100\]\)$/);
  assert.equal(protocolDifferenceResult(differences[0]!).status, "failed");
});

test("same verdicts are no finding; other rules only are counted apart", () => {
  const { comparison, differences } = compareProtocols(file({ a: blocked("HTTP/1.1") }), file({ a: blocked("HTTP/2", [941100, 949110]) }));
  assert.equal(differences.length, 0);
  assert.equal(comparison.rulesOnly, 1);
});

test("raw requests (HTTP/1.1 text in both passes) and requests of one pass only are not compared", () => {
  const { comparison, differences } = compareProtocols(
    file({ raw: blocked("HTTP/1.1"), only1: blocked("HTTP/1.1"), a: blocked("HTTP/1.1") }),
    file({ raw: bypass("HTTP/1.1"), only2: blocked("HTTP/2"), a: blocked("HTTP/2") }),
  );
  assert.equal(differences.length, 0);
  assert.equal(comparison.compared, 1);
  assert.equal(comparison.notCompared.sentAsHttp1InBoth, 1);
  assert.deepEqual(comparison.notCompared.onlyOneProtocol, ["only1", "only2"]);
});

test("infrastructure errors are counted per protocol", () => {
  const { comparison } = compareProtocols(file({ a: blocked("HTTP/1.1") }), file({ a: { verdict: "infra", test: "t", protocol: "HTTP/2" } }));
  assert.deepEqual(comparison.infra, { http1: 0, http2: 1 });
});

test("kept from the app over both protocols, by Envoy's codec over one and the WAF over the other: reported, not a finding", () => {
  const rejected: Entry = { verdict: "rejected-by-proxy", test: "t", judgement: "rejected-by-proxy", status: 400, rules: [], protocol: "HTTP/1.1" };
  const { comparison, differences } = compareProtocols(file({ m: rejected, a: blocked("HTTP/1.1") }), file({ m: blocked("HTTP/2", [911100, 949111]), a: bypass("HTTP/2") }));
  assert.deepEqual(differences.map((d) => [d.id, d.kind]), [["a", "bypass-over-http2"], ["m", "stopped-differently"]]);
  assert.equal(comparison.differences, 2);
  assert.equal(comparison.findings, 1);
  assert.equal(protocolDifferenceResult(differences[1]!).status, "unknown");
});
