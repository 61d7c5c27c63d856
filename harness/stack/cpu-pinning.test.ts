import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuList, cpuSplit } from "./cpu-pinning.ts";

describe("CPU pinning plan", () => {
  it("gives Envoy the upper half (at least one CPU) and the rest the lower half", () => {
    assert.deepEqual(cpuSplit([0, 1]), { others: [0], envoy: [1] });
    assert.deepEqual(cpuSplit([0, 1, 2]), { others: [0], envoy: [1, 2] });
    assert.deepEqual(cpuSplit([3, 2, 1, 0]), { others: [0, 1], envoy: [2, 3] });
    assert.equal(cpuSplit([0]), null, "one CPU: nothing to split");
    assert.equal(cpuSplit([]), null);
  });

  it("writes Docker's and taskset's CPU list syntax", () => {
    assert.equal(cpuList([0, 1, 2, 5]), "0-2,5");
    assert.equal(cpuList([1]), "1");
    assert.equal(cpuList([4, 3, 7, 6]), "3-4,6-7");
  });
});
