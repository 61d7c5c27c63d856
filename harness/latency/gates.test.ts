import assert from "node:assert/strict";
import { test } from "node:test";
import { latencyGateLines } from "./gates.ts";

const entry = (name: string, shape: string, p50: number, p95: number) =>
  ({ name, shape, n: 100, p50Ms: p50, p95Ms: p95, p99Ms: p95, maxMs: p95, meanMs: p50 }) as never;
const section = {
  scenarios: [entry("envoy", "get_small", 0.5, 0.7), entry("waf_crs", "get_small", 7, 10)],
  overhead: [{ scenario: "waf_crs", baseline: "envoy", shape: "get_small", p50DeltaMs: 6.5, p50Ratio: 14, p50DeltaCi95: [6, 7], p99DeltaMs: 9 }] as never,
};

test("gates are off unless set", () => assert.deepEqual(latencyGateLines(section, {}), []));

test("p95 overhead and p50 ratio gates report ok and FAIL lines", () => {
  assert.deepEqual(latencyGateLines(section, { maxP95OverheadMs: 5, maxP50Ratio: 20 }), [
    "FAIL latency waf_crs vs envoy get_small: p95 +9.30 ms (at most 5)",
    "ok   latency waf_crs vs envoy get_small: p50 ×14 (at most ×20)",
  ]);
});
