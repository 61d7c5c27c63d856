import assert from "node:assert/strict";
import { test } from "node:test";
import { renderSvg } from "../report/index.ts";
import { analyseSoak, MB, soakGates, type WindowWithSamples } from "./analysis.ts";
import { soakAllureResult, soakPlotSpec, soakSection, windowLine } from "./report.ts";

const windows: WindowWithSamples[] = Array.from({ length: 8 }, (_, i) => ({
  index: i, endSec: (i + 1) * 5, requests: (i + 1) * 500, windowRequests: 500, memoryBytes: 600 * MB + i * 1000, rssBytes: null, vm: null, outsideHeapBytes: null,
  cpuMsPer1k: 8000, p50Ms: 7, p99Ms: 20, errors: 0, unexpected: 0, status5xx: 0, dropped: 0, latenciesMs: Array.from({ length: 500 }, () => 7),
}));

test("the section carries figures, gates and windows without samples; plot and Allure result render", async () => {
  const figures = analyseSoak(windows, 0.25);
  const gates = soakGates(figures, { maxGrowthMbPer100k: 20, maxP99Drift: 2 });
  const section = soakSection({
    figures, windows, gates, manifest: "m.yaml", pluginConfigSha256: "abc", vmEnv: null,
    stack: { envoyVersion: "1.40.0", wasmSha256: "w", wasmSource: "built" },
    load: { model: "open", ratePerSec: 100, attackShare: 0.1, benignShapes: ["get_small"], attackShapes: ["blocked"], windowSec: 5, maxRequests: 4000, maxDurationSec: 100 },
    elapsedSec: 40, stoppedBy: "count", statusCounts: { "200": 3600, "403": 400 }, errorCodes: {}, unexpectedSamples: [], generatedAt: "2026-01-01T00:00:00Z",
  });
  assert.equal(section.growthMbPer100k, figures.growth.mbPer100k);
  assert.deepEqual(section.growthCi95, figures.growth.ci95);
  assert.equal(section.passed, true, section.gates.map((g) => g.line).join("\n"));
  assert.ok(section.windowRows.every((w) => !("latenciesMs" in w)));
  const svg = await renderSvg(soakPlotSpec(section));
  assert.match(svg, /^<svg/);
  assert.match(svg, /Envoy container/);
  const result = soakAllureResult(section, svg);
  assert.equal(result.status, section.passed ? "passed" : "failed");
  assert.deepEqual(result.attachments.map((a) => a.name), ["soak.json", "soak.svg"]);
  assert.match(windowLine(windows[0]!, 4000), /^window 1 \(5 s\): 500\/4000 requests, memory 600\.0 MB/);
});
