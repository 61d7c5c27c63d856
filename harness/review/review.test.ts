import assert from "node:assert/strict";
import { test } from "node:test";
import { parseManifest } from "../manifest/index.ts";
import { regressions, verdictDiff, type VerdictsFile } from "../report/index.ts";
import { fakeResult } from "../latency/test-fixtures.ts";
import { costDelta, cpuRounds, estimablePercentile } from "./cost.ts";
import { reviewHost, reviewManifest } from "./review-manifest.ts";
import { costPrecision, reviewHeadline, reviewMarkdown, reviewSection } from "./review-report.ts";

const file = (requests: VerdictsFile["requests"]): VerdictsFile => ({
  schemaVersion: 1, generatedAt: "", target: { name: "local", url: "" }, manifest: "m", pluginConfigSha256: "x", stack: null, requests,
});

const BASE = file({
  "sqli-1": { verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules: [942100, 949110] },
  "xss-1": { verdict: "allowed", test: "t", judgement: "bypass", status: 200, rules: [] },
  "benign-1": { verdict: "allowed", test: "t", judgement: "true-negative", status: 200, rules: [] },
  "benign-2": { verdict: "blocked", test: "t", judgement: "false-positive", status: 403, rules: [931130] },
  "same-1": { verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules: [941100] },
  "rules-1": { verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules: [941100] },
  "gone-1": { verdict: "allowed", test: "t", judgement: "true-negative", rules: [] },
});
const CANDIDATE = file({
  "sqli-1": { verdict: "allowed", test: "t", judgement: "bypass", status: 200, rules: [942100, 949110] },
  "xss-1": { verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules: [941100] },
  "benign-1": { verdict: "blocked", test: "t", judgement: "false-positive", status: 403, rules: [932236] },
  "benign-2": { verdict: "allowed", test: "t", judgement: "true-negative", status: 200, rules: [] },
  "same-1": { verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules: [941100] },
  "rules-1": { verdict: "blocked", test: "t", judgement: "true-positive", status: 403, rules: [941100, 941160] },
  "new-1": { verdict: "allowed", test: "t", judgement: "true-negative", rules: [] },
});

test("the verdict diff names each request's change from the two records, regressions first", () => {
  const diff = verdictDiff(BASE, CANDIDATE);
  assert.deepEqual(
    diff.changes.map((c) => [c.id, c.kind]),
    [["sqli-1", "new-bypass"], ["benign-1", "new-false-positive"], ["xss-1", "new-block"], ["benign-2", "fixed-false-positive"], ["rules-1", "rules-changed"]],
  );
  assert.deepEqual([diff.compared, diff.unchanged, diff.onlyInBase, diff.onlyInCandidate], [6, 1, ["gone-1"], ["new-1"]]);
  assert.deepEqual(diff.changes.find((c) => c.id === "rules-1")!.rulesAdded, [941160]);
  assert.deepEqual(regressions(diff, { maxNewBypasses: 0, maxNewFalsePositives: 0 }), ["1 new bypasses (allowed: 0)", "1 new false positives (allowed: 0)"]);
  assert.deepEqual(regressions(diff, { maxNewBypasses: 1, maxNewFalsePositives: 1 }), []);
});

test("a manifest against itself: no change; infrastructure errors or nothing compared make the review fail", () => {
  const same = verdictDiff(BASE, BASE);
  assert.deepEqual([same.changes.length, same.unchanged], [0, 7]);
  assert.deepEqual(regressions(same, { maxNewBypasses: 0, maxNewFalsePositives: 0 }), []);
  const broken = file({ ...BASE.requests, "sqli-1": { verdict: "infra", test: "t", judgement: "infra" } });
  const diff = verdictDiff(BASE, broken);
  assert.equal(diff.changes.find((c) => c.id === "sqli-1")!.kind, "verdict-changed", "an infra error is never a bypass");
  assert.deepEqual(regressions(diff, { maxNewBypasses: 0, maxNewFalsePositives: 0 }), ["infrastructure errors: 0 requests on the base, 1 on the candidate"]);
  assert.deepEqual(regressions(verdictDiff(file({}), file({})), { maxNewBypasses: 0, maxNewFalsePositives: 0 }), ["no request was judged on both sides"]);
});

test("both manifests on one Envoy: each side's sets under its own prefix, its default chosen by Host", () => {
  const manifest = (name: string, level: number) =>
    parseManifest(
      `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: x }\nspec:\n  url: oci://r/x:1\n  pluginConfig:\n    directives_map:\n      default: ["SecAction \\"id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=${level}\\""]\n      other: ["SecRuleEngine Off"]\n    default_directives: default\n    per_authority_directives: { "app.example": other }\n`,
      name,
    );
  const m = reviewManifest(manifest("a.yaml", 1), manifest("b.yaml", 2));
  assert.deepEqual(Object.keys(m.pluginConfig.directives_map), ["base-default", "base-other", "candidate-default", "candidate-other"]);
  assert.deepEqual(m.pluginConfig.per_authority_directives, { [reviewHost("base")]: "base-default", [reviewHost("candidate")]: "candidate-default" });
  assert.match(m.pluginConfig.directives_map["candidate-default"]![0]!, /paranoia_level=2/);
  assert.equal(m.source, "a.yaml vs b.yaml");
});

test("percentiles only where the sample supports them; CPU per 1k requests per round; deltas with CIs", () => {
  const sorted = Float64Array.from({ length: 499 }, (_, i) => i);
  assert.deepEqual(estimablePercentile(sorted, 0.99), { value: null, reason: "not estimable (n = 499)" });
  assert.equal(estimablePercentile(Float64Array.from({ length: 500 }, (_, i) => i), 0.99).value, 494);
  const sixBlocks = { blockEnds: [100, 200, 300, 400, 500, 600] };
  const base = { ...fakeResult("base", "get_small", 6, { n: 600 }), ...sixBlocks, cpuBlocks: Array.from({ length: 6 }, () => ({ cpuSeconds: 0.6, requests: 100 })) };
  const cand = { ...fakeResult("candidate", "get_small", 6, { n: 600, seed: 9 }), ...sixBlocks, cpuBlocks: Array.from({ length: 6 }, (_, i) => ({ cpuSeconds: i < 3 ? 0.9 : 1.2, requests: 100 })) };
  assert.deepEqual(cpuRounds(base, 3), [6000, 6000, 6000]);
  assert.deepEqual(cpuRounds({ ...base, cpuBlocks: base.cpuBlocks.slice(0, 2) }, 3), [], "fewer blocks than rounds: no spread claimed");
  const d = costDelta("get_small", base, cand)!;
  assert.equal(d.cpuRatio, 1.75);
  assert.deepEqual(d.cpuRatioRounds, [1.5, 2]);
  assert.equal(d.rounds, 6);
  assert.ok(d.cpuRatioCi95![0] >= 1.5 && d.cpuRatioCi95![1] <= 2);
  assert.equal(d.precision.backed, false, "a ratio known only to within 1.5-2 is not backed at ±5 %");
  assert.ok(d.p50DeltaCi95[0] <= d.p50DeltaMs && d.p50DeltaMs <= d.p50DeltaCi95[1]);
  assert.ok(d.p99DeltaMs !== null);
});

test("the review's headline and page put regressions first", () => {
  const facts = { manifest: "m.yaml", pluginConfigSha256: "a".repeat(64), envoy: "1.40.0", wasm: "b".repeat(64) };
  const s = reviewSection({ mode: "one Envoy", base: facts, candidate: { ...facts, manifest: "c.yaml" }, diff: verdictDiff(BASE, CANDIDATE), regressions: ["1 new bypasses (allowed: 0)"] });
  assert.match(reviewHeadline(s), /^Review of c\.yaml against m\.yaml: NOT ACCEPTABLE: 1 new bypasses/);
  const md = reviewMarkdown(s, undefined);
  assert.ok(md.indexOf("### New bypasses: 1") < md.indexOf("### New blocks: 1"));
  assert.match(md, /\| `sqli-1` \| blocked \(HTTP 403\), rules 942100 949110 \| allowed \(HTTP 200\), rules 942100 949110 \|/);
  const same = reviewSection({ mode: "one Envoy", base: facts, candidate: facts, diff: verdictDiff(BASE, BASE), regressions: [] });
  assert.equal(reviewHeadline(same), "Review of m.yaml against m.yaml: no verdict change in 7 requests");
});

test("the cost headline claims a figure only where its interval is within ±5 % of the base", () => {
  const delta = (shape: string, p50DeltaCi95: [number, number], cpuRatioCi95: [number, number], backed: boolean) => ({
    shape, p50DeltaMs: Math.round((p50DeltaCi95[0] + p50DeltaCi95[1]) * 500) / 1000, p50DeltaCi95, p99DeltaMs: null, p99DeltaCi95: null, cpuRatio: Math.round((cpuRatioCi95[0] + cpuRatioCi95[1]) * 500) / 1000, cpuRatioCi95,
    cpuRatioRounds: null, rounds: 30, roundSpread: { p50DeltaMs: [-0.1, 0.1] as [number, number], cpuRatio: null },
    precision: { p50HalfWidthPct: backed ? 2 : 12, cpuHalfWidthPct: backed ? 1.5 : 8, limitPct: 5, backed },
  });
  assert.equal(costPrecision([delta("get_small", [-0.05, 0.04], [0.99, 1.01], true)]).summary, "no cost difference in 1 shape (intervals within ±5 %)");
  const mixed = costPrecision([delta("get_small", [0.1, 0.2], [1.02, 1.05], true), delta("post_json_1k", [-3, 4], [0.9, 1.1], false)]);
  assert.equal(mixed.backed, false);
  assert.equal(mixed.summary, "cost differs: get_small p50 +0.15 ms, get_small CPU ×1.035; machine too noisy to back a cost figure for post_json_1k (p50 ±12 %, CPU ±8 %)");
});
