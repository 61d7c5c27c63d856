import assert from "node:assert/strict";
import { test } from "node:test";
import { allureCategories, KINDS, kindOf, RECORD_KINDS, type KindInput } from "./kinds.ts";

const attack = (over: Partial<KindInput>): KindInput => ({ expect: "block", verdict: "allowed", judgement: "bypass", informational: false, fails: true, ...over });

test("every attack that reached the app is a kind that reached the app, and none of them is green anywhere", () => {
  const reached = [
    kindOf(attack({})),
    kindOf(attack({ judgement: "accepted-gap", fails: false })),
    kindOf(attack({ judgement: "changed-by-proxy", fails: false })),
    kindOf(attack({ informational: true, fails: false })),
  ];
  assert.deepEqual(reached, ["bypass", "accepted-gap", "changed-by-proxy", "informational-reached"]);
  for (const k of reached) {
    assert.equal(KINDS[k].reachedApp, true, k);
    assert.notEqual(KINDS[k].allure, "passed", k);
    assert.notEqual(KINDS[k].junit, "ok", k);
  }
});

test("kinds: blocked, informational, proxy, benign, infra", () => {
  assert.equal(kindOf(attack({ verdict: "blocked", judgement: "true-positive", fails: false })), "blocked");
  assert.equal(kindOf(attack({ verdict: "blocked", judgement: "true-positive", informational: true, fails: false })), "informational");
  assert.equal(kindOf(attack({ verdict: "rejected-by-proxy", judgement: "rejected-by-proxy", fails: false })), "rejected-by-proxy");
  assert.equal(kindOf({ expect: "allow", verdict: "allowed", judgement: "true-negative", informational: false, fails: false }), "passed");
  assert.equal(kindOf({ expect: "allow", verdict: "allowed", judgement: "true-negative", informational: false, fails: true }), "failed");
  assert.equal(kindOf({ expect: "allow", verdict: "blocked", judgement: "false-positive", informational: false, fails: true }), "false-positive");
  assert.equal(kindOf(attack({ verdict: "infra", judgement: "infra", informational: true })), "infra");
});

test("the kind drives JUnit, Allure and findings consistently; categories match the kind, not message text", () => {
  for (const k of RECORD_KINDS) {
    const v = KINDS[k];
    if (v.finding) assert.ok(v.junit === "failure" || v.junit === "error", k);
    if (v.junit === "ok") assert.equal(v.allure, "passed", k);
  }
  const categories = allureCategories();
  assert.ok(categories.every((c) => !("messageRegex" in c)));
  const gap = categories.find((c) => c.name === KINDS["accepted-gap"].label)!;
  assert.ok(new RegExp(gap.traceRegex.replace("(?s)", ""), "s").test("kind: accepted-gap\nAccepted gap"));
  assert.ok(!new RegExp(gap.traceRegex.replace("(?s)", ""), "s").test("kind: bypass"));
});
