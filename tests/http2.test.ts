// WAF_HTTP: the corpus over HTTP/1.1 and HTTP/2 (TLS, ALPN h2) on the real local stack, compared request by request;
// and the check failing as it must against a WAF that enforces over HTTP/1.1 only.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { example, runCli, tempReports } from "./support/cli.ts";

// Attacks, benign API calls, the seed rule's cases and raw (HTTP/1.1 text) requests: every kind of request, quickly.
const SLICE = ["--grep", "sqli-00[1-3]/|xss-00[1-3]/|benign-api-00|banned|evasion-00"];
const read = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

test("WAF_HTTP=both sends the corpus over HTTP/1.1 and HTTP/2 and finds no difference on the default manifest", async () => {
  const reports = await tempReports();
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_HTTP: "both", WAF_LATENCY_PROBE: "off" }, SLICE, 600_000);
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  const summary = read(reports, "summary.json");
  assert.ok(summary.http.compared >= 30, JSON.stringify(summary.http));
  assert.equal(summary.http.differences, 0);
  assert.equal(summary.http.findings, 0);
  assert.deepEqual(summary.detection.protocolDifferences, []);
  assert.ok(summary.http.notCompared.sentAsHttp1InBoth > 0, "raw requests are named as not compared");
  // Envoy itself says which protocol every answer (its own 403s too) went over.
  const http1 = Object.values(read(reports, "verdicts.json").requests) as Array<{ protocol: string; verdict: string }>;
  const http2 = Object.entries(read(join(reports, "http2"), "verdicts.json").requests) as Array<[string, { protocol: string; verdict: string; reproducer: string }]>;
  assert.ok(http1.every((e) => e.protocol === "HTTP/1.1"));
  const overHttp2 = http2.filter(([, e]) => e.protocol === "HTTP/2");
  assert.equal(overHttp2.length, summary.http.compared);
  assert.ok(overHttp2.some(([, e]) => e.verdict === "blocked") && overHttp2.some(([, e]) => e.verdict === "allowed"), "blocks and passes over HTTP/2");
  assert.ok(overHttp2.every(([, e]) => e.reproducer.includes("--http2")));
  assert.equal(summary.http.passes["HTTP/2"].detection.blocked, summary.detection.blocked);
  // One report: the HTTP/2 pass's results sit beside the HTTP/1.1 ones; the first screen names both.
  const results = readdirSync(join(reports, "allure-results")).filter((f) => f.endsWith("-result.json")).map((f) => read(join(reports, "allure-results"), f));
  assert.ok(results.some((r) => r.fullName.endsWith("› HTTP/2")) && results.some((r) => !r.fullName.endsWith("› HTTP/2") && r.fullName.startsWith("owasp")));
  assert.match(readFileSync(join(reports, "summary.md"), "utf8"), /HTTP\/1\.1 vs HTTP\/2 \| 0 of \d+ requests judged differently/);
});

test("a WAF that enforces over HTTP/1.1 only: WAF_HTTP=both reports every attack it lets through over HTTP/2 and exits 1; WAF_HTTP=1.1 cannot see it", async () => {
  const manifest = example("http2-detection-only.yaml");
  const reports = await tempReports();
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_HTTP: "both", WAF_PLUGIN: manifest, WAF_LATENCY_PROBE: "off" }, SLICE, 600_000);
  assert.equal(run.code, 1, run.stderr.slice(-3000));
  const summary = read(reports, "summary.json");
  const differences = summary.detection.protocolDifferences as Array<{ id: string; kind: string; http1: { verdict: string }; http2: { verdict: string; rules: number[] } }>;
  const blockedOverHttp1 = Object.entries(read(reports, "verdicts.json").requests).filter(([, e]) => (e as { verdict: string; protocol: string }).verdict === "blocked");
  assert.ok(differences.length > 0);
  // Every request blocked over HTTP/1.1 (raw text aside) reached the app over HTTP/2, its rules still matched (logged).
  const raw = new Set(Object.entries(read(join(reports, "http2"), "verdicts.json").requests).filter(([, e]) => (e as { protocol: string }).protocol === "HTTP/1.1").map(([id]) => id));
  assert.deepEqual(differences.map((d) => d.id).sort(), blockedOverHttp1.map(([id]) => id).filter((id) => !raw.has(id)).sort());
  assert.ok(differences.every((d) => d.http1.verdict === "blocked" && d.http2.verdict === "allowed"));
  assert.ok(differences.some((d) => d.kind === "bypass-over-http2" && d.http2.rules.length > 0));
  assert.match(readFileSync(join(reports, "summary.md"), "utf8").split("\n")[0]!, /requests judged differently over HTTP\/2 than over HTTP\/1\.1/);
  assert.match(run.stderr, /blocked over HTTP\/1\.1 but reached the app over HTTP\/2/);

  const only11 = await runCli("waf", { WAF_REPORTS_DIR: await tempReports(), WAF_PLUGIN: manifest, WAF_LATENCY_PROBE: "off" }, SLICE, 600_000);
  assert.equal(only11.code, 0, only11.stderr.slice(-2000));
});

test("WAF_HTTP takes 1.1, 2 or both: anything else is one line and exit 2", async () => {
  const run = await runCli("waf", { WAF_REPORTS_DIR: await tempReports(), WAF_HTTP: "3" }, [], 60_000);
  assert.equal(run.code, 2);
  assert.match(run.stderr.trim(), /WAF_HTTP=3: .*"1\.1"/);
  assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
});
