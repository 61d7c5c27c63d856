import assert from "node:assert/strict";
import { test } from "node:test";
import { judge, type JudgeInput } from "./expectation.ts";

const at = (over: Partial<JudgeInput>): JudgeInput => ({ expect: "block", verdict: "blocked", paranoia: 1, runParanoia: 1, ...over });

const table: Array<[string, JudgeInput, string, boolean, boolean]> = [
  // what, input, judgement, fails, informational
  ["attack blocked", at({}), "true-positive", false, false],
  ["attack passes", at({ verdict: "allowed" }), "bypass", true, false],
  ["attack passes, accepted gap", at({ verdict: "allowed", acceptedGap: true }), "accepted-gap", false, false],
  ["attack passes, changed by proxy", at({ verdict: "allowed", proxyChanges: ["path /a/../b became /b"] }), "changed-by-proxy", false, false],
  ["attack above the run's PL passes", at({ verdict: "allowed", paranoia: 3 }), "bypass", false, true],
  ["attack rejected by Envoy", at({ verdict: "rejected-by-proxy" }), "rejected-by-proxy", false, false],
  ["attack hits an infra error", at({ verdict: "infra" }), "infra", true, false],
  ["benign passes", at({ expect: "allow", verdict: "allowed", paranoia: undefined }), "true-negative", false, false],
  ["benign blocked", at({ expect: "allow", verdict: "blocked", paranoia: undefined }), "false-positive", true, false],
  ["benign blocked beyond the PL it is meant for", at({ expect: "allow", verdict: "blocked", paranoia: 1, runParanoia: 2 }), "false-positive", false, true],
  ["attack passes where the case needs a setting the manifest lacks", at({ verdict: "allowed", unmetRequirement: "needs early blocking" }), "bypass", false, true],
  ["infra error is never informational-passed", at({ verdict: "infra", paranoia: 4 }), "infra", true, true],
];

for (const [what, input, judgement, fails, informational] of table)
  test(what, () => {
    const j = judge(input);
    assert.deepEqual([j.judgement, j.fails, j.informational], [judgement, fails, informational]);
  });

test("messages carry the words Allure categories match", () => {
  assert.match(judge(at({ verdict: "allowed" })).message, /WAF bypass/);
  assert.match(judge(at({ expect: "allow", verdict: "blocked", paranoia: undefined })).message, /false positive/);
  assert.match(judge(at({ verdict: "infra" })).message, /infrastructure error/);
});

test("an unmet requirement says which setting is missing", () => {
  assert.match(judge(at({ verdict: "allowed", unmetRequirement: "needs setvar:tx.early_blocking=1" })).message, /^informational \(needs setvar:tx\.early_blocking=1\)/);
});
