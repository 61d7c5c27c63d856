import assert from "node:assert/strict";
import { test } from "node:test";
import { configFacts } from "../manifest/index.ts";
import { fakeRecord } from "../engine/test-records.ts";
import { countRecords } from "./counts.ts";
import { computeDetection, type CorpusRecord } from "./detection.ts";
import { breakdownOf } from "./breakdown.ts";
import { overview, overviewHtml, overviewMarkdown, type OverviewInput } from "./overview.ts";
import { ruleCoverage } from "./rule-coverage.ts";

const rec = (over: Partial<CorpusRecord>): CorpusRecord => ({ id: "x", class: "sqli", owasp2025: "A05:2025", expect: "block", judgement: "true-positive", informational: false, ...over });
const config = configFacts({
  directives_map: {
    default: [
      "Include @recommended-conf", "Include @crs-setup-conf", `SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=2"`,
      "SecRuleEngine On", `SecRule REQUEST_URI "@beginsWith /api" "id:1001,phase:1,pass,nolog,ctl:ruleRemoveById=942100"`, "Include @owasp_crs/*.conf",
    ],
  },
  default_directives: "default",
});
// The same request as a record, so the counts (counts.ts) and the tables (detection.ts) come from one source.
const asRecord = (c: CorpusRecord) => {
  const base = fakeRecord({ expect: c.expect });
  const blocked = c.judgement === "true-positive" || c.judgement === "false-positive";
  return fakeRecord({
    expect: c.expect, suite: c.expect === "block" ? "owasp" : "false-positives", judgement: c.judgement, informational: c.informational,
    verdict: blocked ? "blocked" : "allowed", fails: c.judgement === "bypass" || c.judgement === "false-positive", meta: { ...base.meta, expect: c.expect, class: c.class, owasp2025: c.owasp2025 },
  });
};
const input = (records: CorpusRecord[]): OverviewInput => ({
  target: { name: "local", url: "http://127.0.0.1:1" }, runId: "r1", detection: computeDetection(records, 2),
  stack: null, manifest: { source: "m.yaml", pluginConfigSha256: "abc" }, config, crsVersion: "4.14.0", counts: countRecords(records.map(asRecord)),
});

test("the configuration facts a reviewer needs: engine mode (last wins), paranoia, thresholds, exclusions", () => {
  assert.equal(config.engineMode, "On");
  assert.equal(config.paranoia, 2);
  assert.deepEqual([config.inboundThreshold, config.outboundThreshold], [5, 4]);
  assert.equal(config.exclusions.length, 1);
  assert.equal(configFacts({ directives_map: { d: ["Include @recommended-conf"] }, default_directives: "d" }).engineMode, "DetectionOnly");
});

test("a WAF that blocks nothing says so on the first line", () => {
  const o = overview(input([rec({ judgement: "bypass" }), rec({ judgement: "bypass" }), rec({ expect: "allow", class: "benign", judgement: "true-negative" })]));
  assert.equal(o.verdict, "not-blocking");
  assert.match(overviewMarkdown(o).split("\n")[0]!, /the WAF is NOT blocking: 0 of 2 judged attacks blocked \(0 %\) at paranoia level 2/);
});

test("a healthy run: detection, false positives, CRS and paranoia among the facts; weakest category first", () => {
  const o = overview(input([rec({}), rec({ judgement: "accepted-gap" }), rec({ owasp2025: "A01:2025", class: "lfi" }), rec({ expect: "allow", class: "benign", judgement: "true-negative" })]));
  assert.equal(o.verdict, "clean");
  const facts = Object.fromEntries(o.facts);
  assert.match(facts["Detection at PL2"]!, /^66\.7 % \(2\/3 judged attacks/);
  assert.match(facts["False-positive rate"]!, /^0 % \(0\/1 judged benign/);
  assert.equal(facts["CRS version"], "4.14.0");
  assert.equal(facts["Paranoia level"], "2");
  assert.match(facts.Exclusions!, /ruleRemoveById=942100/);
  assert.deepEqual(o.categories.map((c) => [c.name, c.pct]), [["A05:2025 Injection", 50], ["A01:2025 Broken Access Control", 100]]);
  assert.deepEqual(o.categories[0]!.ci95, [9.5, 90.6]); // 1 of 2, Wilson
  assert.match(overviewMarkdown(o), /\| A05:2025 Injection \| 50 \| 9\.5–90\.6 \|/);
});

test("the breakdown and the rule coverage: in summary.md, and on the first screen with the heat map and the rule plot", () => {
  const records = [rec({}), rec({ judgement: "accepted-gap" }), rec({ expect: "allow", class: "benign", judgement: "true-negative" })].map(asRecord);
  const o = overview({ ...input([rec({})]), breakdown: breakdownOf(records), rules: ruleCoverage(records, undefined, 2) });
  const md = overviewMarkdown(o);
  assert.match(md, /### Detection and false positives by class × placement × encoding[\s\S]*\| sqli \| query \| none \| 1\/2 \| 50 % \|/);
  assert.match(md, /### CRS rule coverage\n\n2 rules fired \(the loaded rules are not known/);
  assert.match(Object.fromEntries(o.facts)["CRS rule coverage"]!, /2 rules fired/);
  const html = overviewHtml(o, "", undefined, [], { heatmap: "<svg id=heat></svg>", rules: "<svg id=rules></svg>" });
  assert.ok(html.indexOf("<svg id=heat>") < html.indexOf('id="reached-app"'), "the heat map comes before the list of attacks that reached the app");
  assert.match(html, /<h2 id="rules">CRS rule coverage<\/h2>.*<svg id=rules>/);
});

test("WAF_HTTP=both: a request judged differently over HTTP/2 makes a clean run a finding, on the first line and among the facts", () => {
  const records = [rec({}), rec({ expect: "allow", class: "benign", judgement: "true-negative" })];
  const protocols = (differences: number) => ({
    comparison: { compared: 2, differences, findings: differences, counts: { "bypass-over-http2": differences } },
    http2: { blocked: 1 - differences, judged: 1, falsePositives: 0, benign: 1 },
  });
  const same = overview({ ...input(records), protocols: protocols(0) });
  assert.equal(same.verdict, "clean");
  assert.match(Object.fromEntries(same.facts)["HTTP/1.1 vs HTTP/2"]!, /^0 of 2 requests judged differently; over HTTP\/2 \(TLS, ALPN h2\): 1\/1 attacks blocked/);
  const differs = overview({ ...input(records), protocols: protocols(1) });
  assert.equal(differs.verdict, "findings");
  assert.match(differs.headline, /; 1 requests judged differently over HTTP\/2 than over HTTP\/1\.1 \(1 attacks blocked over one protocol only\)$/);
  assert.equal(Object.fromEntries(overview({ ...input(records), http: "2" }).facts)["HTTP version"], "HTTP/2 (TLS, ALPN h2)");
});

test("the last npm run soak is a fact on the first screen, flagged when it measured another configuration", () => {
  const base = input([rec({})]);
  const soak = { generatedAt: "2026-12-04T18:00:00Z", pluginConfigSha256: base.manifest.pluginConfigSha256, requests: 30000, ratePerSec: 60, growthMbPer100k: -6.5, growthCi95: [-6.8, -6.2] as [number, number], p99DriftRatio: 0.98, passed: true };
  const fact = (o: ReturnType<typeof overview>) => o.facts.find(([k]) => k === "Sustained load")?.[1];
  assert.equal(fact(overview(base)), undefined);
  assert.equal(fact(overview({ ...base, soak })), "gates passed: memory -6.5 MB per 100k requests [-6.8, -6.2], p99 drift ×0.98 (30000 requests at 60/s; npm run soak of 2026-12-04T18:00:00Z, this configuration)");
  assert.match(fact(overview({ ...base, soak: { ...soak, pluginConfigSha256: "f".repeat(64), passed: false } }))!, /^gates FAILED: .*ANOTHER configuration \(pluginConfig sha256 ffffffffffff…\): run npm run soak again\)$/);
});
