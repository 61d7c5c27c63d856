import assert from "node:assert/strict";
import { test } from "node:test";
import type { VerdictsFile } from "../report/index.ts";
import { rulesDiff, rulesDiffMarkdown } from "./rules-diff.ts";

const file = (requests: VerdictsFile["requests"]): VerdictsFile => ({ schemaVersion: 1, generatedAt: "", target: { name: "local", url: "" }, manifest: "m", pluginConfigSha256: "x", stack: null, requests });

test("the rule diff: rules only one side fired, and each rule's attack and benign matches on both sides", () => {
  const base = file({
    a1: { verdict: "blocked", test: "t", expect: "block", rules: [942100, 949110] },
    a2: { verdict: "blocked", test: "t", judgement: "true-positive", rules: [942100, 942190, 949110] }, // an older file: no expect
    b1: { verdict: "blocked", test: "t", expect: "allow", judgement: "false-positive", rules: [931130, 949110] },
    c1: { verdict: "blocked", test: "t", judgement: "true-positive", rules: [101] },
  });
  const candidate = file({
    a1: { verdict: "blocked", test: "t", expect: "block", rules: [942100, 949110] },
    a2: { verdict: "blocked", test: "t", expect: "block", rules: [942100, 949110] },
    b1: { verdict: "allowed", test: "t", expect: "allow", judgement: "true-negative", rules: [] },
    c1: { verdict: "blocked", test: "t", rules: [101] }, // neither attack nor benign: not counted
  });
  const d = rulesDiff(base, candidate);
  assert.deepEqual(d.fired, { base: 5, candidate: 2 });
  assert.deepEqual(d.onlyInBase, [101, 931130, 942190]);
  assert.deepEqual(d.onlyInCandidate, []);
  assert.deepEqual(d.changed.map((r) => [r.id, r.base, r.candidate]), [
    [101, { attacks: 1, benign: 0 }, { attacks: 0, benign: 0 }],
    [931130, { attacks: 0, benign: 1 }, { attacks: 0, benign: 0 }],
    [942190, { attacks: 1, benign: 0 }, { attacks: 0, benign: 0 }],
    [949110, { attacks: 2, benign: 1 }, { attacks: 2, benign: 0 }],
  ]);
  assert.match(rulesDiffMarkdown(d).join("\n"), /fired only by the base .*: 101 931130 942190\n[\s\S]*\| 949110 \| 2 → 2 \| 1 → 0 \|/);
});
