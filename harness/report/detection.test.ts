import assert from "node:assert/strict";
import { test } from "node:test";
import { computeDetection, type CorpusRecord } from "./detection.ts";

const rec = (over: Partial<CorpusRecord>): CorpusRecord => ({ id: "x", class: "sqli", owasp2025: "A05:2025", expect: "block", judgement: "true-positive", informational: false, ...over });

test("rates, per-class and per-category tallies", () => {
  const d = computeDetection(
    [
      rec({}),
      rec({ judgement: "bypass" }),
      rec({ class: "xss", judgement: "true-positive" }),
      rec({ class: "lfi", owasp2025: "A01:2025", judgement: "accepted-gap" }),
      rec({ expect: "allow", class: "benign", judgement: "true-negative" }),
      rec({ expect: "allow", class: "benign", judgement: "false-positive" }),
      rec({ judgement: "infra" }),
    ],
    1,
  );
  assert.equal(d.attacks, 4);
  assert.equal(d.blocked, 2);
  assert.equal(d.bypassed, 1);
  assert.equal(d.acceptedGaps, 1);
  assert.equal(d.benign, 2);
  assert.equal(d.falsePositives, 1);
  assert.equal(d.infra, 1);
  assert.deepEqual(d.byClass.sqli, { attacks: 2, sent: 3, blocked: 1, bypassed: 1, acceptedGaps: 0, proxy: 0 }, "sent: the infra request too");
  assert.deepEqual(d.byOwasp2025["A01:2025"], { attacks: 1, sent: 1, blocked: 0, bypassed: 0, acceptedGaps: 1, proxy: 0 });
  assert.equal(d.truePositiveRate, 0.5);
  assert.equal(d.trueNegativeRate, 0.5);
  assert.equal(d.balancedAccuracy, 0.5);
});

test("informational cases count in `all` and `informational`, not in the judged figures", () => {
  const d = computeDetection([rec({ informational: true, judgement: "bypass", paranoia: 3 }), rec({})], 1);
  assert.equal(d.attacks, 1);
  assert.deepEqual(d.informational, { attacks: 1, blocked: 0, benign: 0, falsePositives: 0 });
  assert.deepEqual(d.all, { attacks: 2, blocked: 1, benign: 0, falsePositives: 0 });
});

test("DetectionOnly: nothing blocked gives a zero rate, not null", () => {
  const d = computeDetection([rec({ judgement: "bypass" }), rec({ judgement: "bypass" })], 1);
  assert.equal(d.blocked, 0);
  assert.equal(d.truePositiveRate, 0);
});
