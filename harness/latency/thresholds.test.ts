import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeResult } from "./test-fixtures.ts";
import { evaluateThresholds } from "./thresholds.ts";

const results = [
  fakeResult("envoy", "get_small", 1.0, { n: 1000 }),
  fakeResult("waf", "get_small", 2.0, { n: 1000 }),
  fakeResult("waf", "post_json_1k", 5.0, { n: 1000, mismatches: 20 }),
];

describe("evaluateThresholds", () => {
  it("checks k6-style duration thresholds per scenario and shape", () => {
    const r = evaluateThresholds(
      {
        "http_req_duration{scenario:envoy}": ["p(99)<3", "med<1"],
        "http_req_duration{scenario:waf,shape:get_small}": ["p(95)<=3", "max<2"],
        "http_req_duration": ["avg<10"],
      },
      results,
    );
    assert.deepEqual(r.map((x) => x.ok), [true, false, true, false, true]);
    assert.ok(r[0]!.value! > 1 && r[0]!.value! < 3);
    // n: every sample of every matching cell, pooled (the full scenario, all shapes).
    assert.deepEqual(r.map((x) => x.n), [1000, 1000, 1000, 1000, 3000]);
  });

  it("computes http_req_failed from mismatches and errors", () => {
    const [r] = evaluateThresholds({ "http_req_failed{scenario:waf}": ["rate<0.005"] }, results);
    assert.equal(r!.ok, false);
    assert.equal(r!.value, 0.0099);
    assert.equal(r!.n, 2020, "requests sent, mismatches included");
  });

  it("says 'not evaluated' rather than guessing", () => {
    const r = evaluateThresholds({ checks: ["rate>0.99"], "http_req_duration{scenario:nope}": ["p(99)<5"], "http_req_duration{scenario:waf}": ["p(99) < abc"] }, results);
    assert.deepEqual(r.map((x) => x.ok), [null, null, null]);
  });
});
