import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeRecord } from "../engine/test-records.ts";
import { countRecords, describeRate } from "./counts.ts";
import { wilson } from "./interval.ts";

const blocked = () => fakeRecord({});
const reached = (judgement: "bypass" | "accepted-gap" | "changed-by-proxy", informational = false) =>
  fakeRecord({ verdict: "allowed", judgement, informational, fails: judgement === "bypass" && !informational });
const benign = (fp = false) => fakeRecord({ expect: "allow", suite: "false-positives", verdict: fp ? "blocked" : "allowed", judgement: fp ? "false-positive" : "true-negative", fails: fp });

test("one set of counts: judged attacks, reached the app, benign, with their denominators", () => {
  const k = countRecords([blocked(), blocked(), reached("bypass"), reached("accepted-gap"), reached("changed-by-proxy"), reached("bypass", true), benign(), benign(true)]);
  assert.equal(k.attacks.sent, 6);
  assert.equal(k.attacks.judged, 4); // blocked + bypassed + accepted gaps
  assert.equal(k.attacks.reachedApp, 4); // bypass, gap, changed, informational
  assert.equal(k.attacks.informationalReachedApp, 1);
  assert.equal(k.benign.judged, 2);
  assert.equal(k.detectionRate?.rate, 0.5);
  assert.equal(k.falsePositiveRate?.rate, 0.5);
  assert.equal(k.balancedAccuracy, 0.5);
  assert.equal(k.findings, 2); // the bypass and the false positive
  assert.equal(Object.values(k.byKind).reduce((a, b) => a + b, 0), k.requests);
  assert.match(describeRate(k.detectionRate, "judged attacks"), /^50 % \(2\/4 judged attacks; 95 % CI/);
});

test("Wilson interval: inside [0, 1], around the rate, exact at the edges", () => {
  const w = wilson(915, 933);
  assert.ok(w.low < w.rate && w.rate < w.high && w.high <= 1);
  assert.equal(wilson(0, 10).low, 0);
  assert.equal(wilson(10, 10).high, 1);
  assert.throws(() => wilson(0, 0));
});
