import assert from "node:assert/strict";
import { test } from "node:test";
import { compile } from "vega-lite";
import type { RuleCatalog } from "../crs/index.ts";
import type { WafRecord } from "../engine/index.ts";
import { fakeRecord } from "../engine/test-records.ts";
import { breakdownOf, falsePositiveClusters, thinnestCells } from "./breakdown.ts";
import { countRecords } from "./counts.ts";
import { breakdownMarkdown, rulesMarkdown, rulesSentence } from "./coverage-views.ts";
import { heatmapSpec } from "./heatmap.ts";
import { ruleCoverage } from "./rule-coverage.ts";
import { ruleCoverageSpec } from "./rule-coverage-plot.ts";

type Over = { id: string; cls?: string; placement?: string; encoding?: string; rules?: number[] };
const meta = (r: WafRecord, o: Over) => ({ ...r.meta, class: o.cls ?? r.meta.class, placement: (o.placement ?? r.meta.placement) as WafRecord["meta"]["placement"], encoding: (o.encoding ?? r.meta.encoding) as WafRecord["meta"]["encoding"] });
const withRules = (ids: number[]) => ({ evidence: "logged" as const, rules: ids.map((id) => ({ id })) });
function attack(o: Over & { blocked?: boolean; informational?: boolean }): WafRecord {
  const r = o.blocked === false ? fakeRecord({ id: o.id, verdict: "allowed", judgement: "bypass", fails: true, informational: !!o.informational }) : fakeRecord({ id: o.id, informational: !!o.informational });
  return { ...r, meta: meta(r, o), waf: withRules(o.rules ?? (o.blocked === false ? [] : [942100, 949110])) };
}
function benign(o: Over & { fp?: boolean }): WafRecord {
  const r = fakeRecord({ id: o.id, expect: "allow", suite: "false-positives", verdict: o.fp ? "blocked" : "allowed", judgement: o.fp ? "false-positive" : "true-negative", fails: !!o.fp });
  return { ...r, meta: { ...meta(r, o), class: "benign" }, waf: withRules(o.rules ?? []) };
}

const records = [
  attack({ id: "a1", rules: [942100, 949110] }),
  attack({ id: "a2", rules: [942100, 942190, 949110] }),
  attack({ id: "a3", blocked: false }),
  attack({ id: "a4", placement: "header:User-Agent", rules: [913100, 949111] }),
  attack({ id: "a5", cls: "xss", encoding: "url", rules: [941100, 941160, 942100, 949110] }),
  attack({ id: "a6", cls: "xss", blocked: false, informational: true }), // another paranoia level: not judged
  benign({ id: "b1", rules: [920273] }),
  benign({ id: "b2", fp: true, placement: "form", rules: [942100, 949110] }),
  benign({ id: "b3", placement: "form" }),
  fakeRecord({ id: "conformance-1", suite: "conformance" }),
];

test("breakdown: every judged request in one class × placement × encoding cell, with its Wilson interval; the margins add up", () => {
  const b = breakdownOf(records);
  const k = countRecords(records);
  assert.equal(b.attacks.reduce((n, c) => n + c.n, 0), k.attacks.judged);
  assert.equal(b.attacks.reduce((n, c) => n + c.k, 0), k.attacks.blocked);
  assert.equal(b.benign.reduce((n, c) => n + c.n, 0), k.benign.judged);
  assert.equal(b.benign.reduce((n, c) => n + c.k, 0), k.benign.falsePositives);
  const sqliQuery = b.attacks.find((c) => c.class === "sqli" && c.placement === "query" && c.encoding === "none")!;
  assert.deepEqual([sqliQuery.k, sqliQuery.n, sqliQuery.bypassed], [2, 3, 1]);
  assert.ok(sqliQuery.ci95[0] < sqliQuery.rate && sqliQuery.rate < sqliQuery.ci95[1]);
  assert.deepEqual(Object.keys(b.byPlacement), ["header:User-Agent", "query"]);
  assert.equal(b.byClass.xss!.n, 1); // the informational xss attack is not judged
  assert.deepEqual(thinnestCells(b).map((c) => `${c.class}/${c.placement}/${c.encoding}`), ["sqli/query/none"]);
  assert.deepEqual(falsePositiveClusters(b).map((c) => [c.placement, c.k, c.n]), [["form", 1, 2]]);
  assert.match(breakdownMarkdown(b).join("\n"), /\| sqli \| query \| none \| 2\/3 \| 66\.7 % \|/);
});

test("heat map: a vega-lite spec that compiles, header placements in one column", () => {
  const spec = heatmapSpec(breakdownOf(records));
  compile(spec);
  const values = JSON.stringify(spec);
  assert.match(values, /"col":"header:\*"/);
  assert.doesNotMatch(values, /"col":"header:User-Agent"/);
});

const catalog: RuleCatalog = {
  source: "test",
  crsVersion: "4.14.0",
  files: ["REQUEST-913-SCANNER-DETECTION.conf", "REQUEST-942-APPLICATION-ATTACK-SQLI.conf", "REQUEST-949-BLOCKING-EVALUATION.conf", "RESPONSE-951-DATA-LEAKAGES-SQL.conf"],
  removed: [],
  rules: [
    { id: 913100, file: "REQUEST-913-SCANNER-DETECTION.conf", paranoia: 1, logs: true, kind: "detection", score: { direction: "inbound", points: 5 }, tags: [] },
    { id: 942011, file: "REQUEST-942-APPLICATION-ATTACK-SQLI.conf", logs: false, kind: "control", tags: [] },
    { id: 942100, file: "REQUEST-942-APPLICATION-ATTACK-SQLI.conf", paranoia: 1, logs: true, kind: "detection", score: { direction: "inbound", points: 5 }, tags: [], msg: "SQL Injection Attack Detected via libinjection" },
    { id: 942190, file: "REQUEST-942-APPLICATION-ATTACK-SQLI.conf", paranoia: 1, logs: true, kind: "detection", score: { direction: "inbound", points: 5 }, tags: [] },
    { id: 942101, file: "REQUEST-942-APPLICATION-ATTACK-SQLI.conf", paranoia: 2, logs: true, kind: "detection", score: { direction: "inbound", points: 5 }, tags: [] },
    { id: 942120, file: "REQUEST-942-APPLICATION-ATTACK-SQLI.conf", paranoia: 1, logs: true, kind: "detection", score: { direction: "inbound", points: 5 }, tags: [] },
    { id: 951110, file: "RESPONSE-951-DATA-LEAKAGES-SQL.conf", phase: 4, paranoia: 1, logs: true, kind: "detection", score: { direction: "outbound", points: 4 }, tags: [] },
    { id: 949110, file: "REQUEST-949-BLOCKING-EVALUATION.conf", logs: true, kind: "evaluation", tags: [] },
    { id: 949111, file: "REQUEST-949-BLOCKING-EVALUATION.conf", logs: true, kind: "evaluation", tags: [] },
  ],
};

test("rule coverage: attacks and benign requests per rule, rules that never fired, single-rule (fragile) blocks", () => {
  const c = ruleCoverage(records, catalog, 1);
  const use = (id: number) => c.fired.find((u) => u.id === id)!;
  assert.deepEqual([use(942100).attacks, use(942100).benign, use(942100).blockedAttacks, use(942100).falsePositives, use(942100).singleRuleBlocks], [3, 1, 3, 1, 1]);
  assert.equal(use(913100).singleRuleBlocks, 1);
  // a1 (942100 alone) and a4 (913100 alone) are fragile; a2 has two detection rules, a5 three; b2 is benign.
  assert.deepEqual(c.fragile.requests, ["a1", "a4"]);
  assert.deepEqual(c.fragile.contributors, { none: 0, one: 2, two: 1, threeOrMore: 1 });
  assert.equal(c.fragile.blockedByScore, 4);
  // Never fired: the active detection rule 942120 (942101 sits above PL1; 942011 is a nolog control rule; 951110
  // inspects response bodies, whose matches the plug-in does not log).
  assert.deepEqual(c.neverFired.map((r) => r.id), [942120]);
  assert.deepEqual(c.totals, { loaded: 9, detection: 6, active: 4, fired: 8, firedDetection: 6, neverFired: 1, aboveLevel: 1, unobservable: 1 });
  // Fired but not in the catalog: rules of other files (xss here), or the manifest's own.
  assert.deepEqual(c.notInCatalog, [920273, 941100, 941160]);
  const sqli = c.files.find((f) => f.file.includes("942"))!;
  assert.deepEqual([sqli.loaded, sqli.detection, sqli.active, sqli.fired, sqli.neverFired, sqli.aboveLevel], [5, 4, 3, 2, 1, 1]);
  compile(ruleCoverageSpec(c));
  assert.match(rulesSentence(c), /9 CRS rules loaded from 4 rule files .*: 3 fired, 1 never fired, 1 inspect response bodies .* 2 of 4 attacks blocked by anomaly score were blocked by a single rule's score/);
  assert.match(rulesMarkdown(c).join("\n"), /\| 942100 \| 1 \| 3 \| SQL Injection Attack Detected via libinjection \|/);
});

test("rule coverage says so when the WAF logged another CRS version than the catalog's", () => {
  const other = records.map((r) => ({ ...r, waf: { ...r.waf, rules: r.waf.rules.map((x) => ({ ...x, ver: "OWASP_CRS/4.22.0" })) } }));
  assert.match(ruleCoverage(other, catalog, 1).note ?? "", /the WAF logged CRS 4\.22\.0 but the rule catalog is CRS 4\.14\.0/);
  assert.equal(ruleCoverage(records, catalog, 1).note, undefined);
});

test("rule coverage of a run without the WAF's log (a remote gateway) says it was not measured", () => {
  const remote = records.map((r) => ({ ...r, waf: { evidence: "none" as const, rules: [] } }));
  const c = ruleCoverage(remote, undefined, 1, undefined);
  assert.equal(c.measured, false);
  assert.match(rulesSentence(c), /^Rule coverage not measured: no request of this run has the WAF's log/);
  assert.deepEqual(c.neverFired, []);
});
