import assert from "node:assert/strict";
import { test } from "node:test";
import { analyseSoak, MB, soakGates, type WindowWithSamples } from "./analysis.ts";
import { compareSoaks, growthDifference } from "./compare.ts";
import { soakSection } from "./report.ts";

const windows = (bytesPerRequest: number, noise: number): WindowWithSamples[] =>
  Array.from({ length: 20 }, (_, i) => ({
    index: i, endSec: (i + 1) * 5, requests: (i + 1) * 500, windowRequests: 500,
    memoryBytes: 600 * MB + bytesPerRequest * (i + 1) * 500 + (i % 2 ? noise : -noise), rssBytes: null, vm: null, outsideHeapBytes: null,
    cpuMsPer1k: 8000, p50Ms: 7, p99Ms: 20, errors: 0, unexpected: 0, status5xx: 0, dropped: 0, latenciesMs: Array.from({ length: 500 }, () => 7),
  }));

const section = (manifest: string, bytesPerRequest: number, noise = 0.1 * MB) => {
  const figures = analyseSoak(windows(bytesPerRequest, noise), 0.2);
  return soakSection({
    figures, windows: windows(bytesPerRequest, noise), gates: soakGates(figures, { maxGrowthMbPer100k: 20, maxP99Drift: 2 }), manifest, pluginConfigSha256: manifest, vmEnv: null,
    stack: { envoyVersion: "1.40.0", wasmSha256: "w", wasmSource: "built" },
    load: { model: "open", ratePerSec: 60, attackShare: 0.1, benignShapes: ["get_small"], attackShapes: ["blocked"], windowSec: 5, maxRequests: 10000, maxDurationSec: 200 },
    elapsedSec: 100, stoppedBy: "count", statusCounts: {}, errorCodes: {}, unexpectedSamples: [], generatedAt: "2026-01-01T00:00:00Z",
  });
};

test("the same config on both sides: a difference near 0 whose interval holds 0; the comparison passes", () => {
  const c = compareSoaks(section("a.yaml", 0), section("a.yaml", 0), 10);
  assert.ok(c.growthDifference.ci95![0] <= 0 && c.growthDifference.ci95![1] >= 0);
  assert.equal(c.passed, true);
});

test("a candidate that leaks fails on its own gates and on the difference", () => {
  const c = compareSoaks(section("a.yaml", 0), section("leak.yaml", 0.5 * MB), 10);
  assert.equal(c.growthDifference.mbPer100k, 50_000);
  assert.deepEqual(c.gates.map((g) => [g.gate, g.ok]), [["candidate-soak", false], ["max-extra-growth-mb-per-100k", false]]);
});

test("no interval on a side: the difference has none either", () => {
  assert.deepEqual(growthDifference({ mbPer100k: 1, ci95: null, n: 2, se: null }, { mbPer100k: 3, ci95: [2, 4], n: 10, se: 0.5 }), { mbPer100k: 2, ci95: null });
});
