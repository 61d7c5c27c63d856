import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAllureResult } from "../report/allure-result.ts";
import type { StackInfo } from "../stack/stack.ts";
import { runCells } from "./engine.ts";
import { writeLatencyPlots } from "./plots.ts";
import { buildLatencySection, mergeLatencyIntoSummary, type LatencySection } from "./report.ts";
import { engineOptionsFrom, loadDefinition, planCells } from "./scenarios.ts";
import { evaluateThresholds } from "./thresholds.ts";

const PROBE = { scenarios: ["direct", "envoy", "waf_crs", "waf_blocked"], shapes: ["get_small", "post_form10", "blocked"], samples: 300, timeBudgetMs: 4_000 };

/**
 * The short overhead probe `npm run waf` ends with, so every report carries an overhead figure: a few hundred
 * samples per cell through the run's own stack (the manifest's default set is the `waf_crs` scenario).
 * `npm run latency` is the full benchmark.
 */
export async function latencyProbe(stack: StackInfo, reports: string, log: (line: string) => void): Promise<LatencySection> {
  const def = await loadDefinition();
  const { cells } = planCells(def, {
    targets: { upstream: stack.upstreamUrl, baseline: stack.baselineUrl, waf: stack.gatewayUrl },
    scenarios: PROBE.scenarios,
    shapes: PROBE.shapes,
    samples: PROBE.samples,
    timeBudgetMs: PROBE.timeBudgetMs,
  });
  log(`latency probe: ${cells.length} cells, ≤${PROBE.samples} samples each (full benchmark: npm run latency)…`);
  const engine = engineOptionsFrom(def);
  const results = await runCells(cells, engine);
  const section = buildLatencySection({
    wasmSource: stack.wasmSource,
    stack: { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, pluginConfigSha256: stack.pluginConfigSha256, paranoia: null },
    results,
    comparisons: def.comparisons.filter((c) => PROBE.scenarios.includes(c.scenario) && PROBE.scenarios.includes(c.baseline)),
    floor: null,
    thresholds: evaluateThresholds(def.thresholds, results),
    bootstrap: { seed: engine.seed, resamples: 1000 },
    model: "per-scenario",
    definition: "probe (npm run waf)",
  });
  await mergeLatencyIntoSummary(join(reports, "summary.json"), section);
  const plots = await writeLatencyPlots(section, reports);
  for (const o of section.overhead)
    log(`overhead ${o.scenario} vs ${o.baseline} ${o.shape}: p50 +${o.p50DeltaMs?.toFixed(2)} ms [${o.p50DeltaCi95?.map((x) => x.toFixed(2)).join(", ")}]`);
  await writeAllureResult(join(reports, "allure-results"), {
    id: "wafcheck-latency-probe",
    name: "Latency overhead of the WAF (probe)",
    status: "passed",
    message: `${section.wasmSource ?? ""}; full figures: npm run latency`,
    labels: [
      { name: "epic", value: "Latency" },
      { name: "feature", value: "WAF overhead" },
      { name: "suite", value: "latency" },
    ],
    attachments: [
      { name: "latency.json", content: `${JSON.stringify(section, null, 2)}\n`, type: "application/json" },
      ...(await Promise.all(plots.map(async (p) => ({ name: p.split("/").pop()!, content: await readFile(p, "utf8"), type: "image/svg+xml" })))),
    ],
  });
  return section;
}
