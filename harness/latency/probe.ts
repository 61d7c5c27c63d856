import type { StepOutput } from "../report/index.ts";
import type { StackInfo } from "../stack/index.ts";
import { LATENCY_LABELS, latencyResult } from "./allure.ts";
import { runCells } from "./engine.ts";
import { renderLatencyPlots } from "./plots.ts";
import { buildLatencySection, formatOverheadLine, placeProbe, type LatencySection } from "./report.ts";
import { engineOptionsFrom, loadDefinition, planCells } from "./scenarios.ts";
import { evaluateThresholds } from "./thresholds.ts";

const PROBE = { scenarios: ["direct", "envoy", "waf_crs", "waf_blocked"], shapes: ["get_small", "post_form10", "blocked"], samples: 300, timeBudgetMs: 4_000 };
const ALLURE_ID = "wafcheck-latency-probe";

type Log = (line: string) => void;

/**
 * The short overhead probe `npm run waf` ends with, so every report carries an overhead figure: a few hundred
 * samples per cell through the run's own stack (the manifest's default set is the `waf_crs` scenario).
 * `npm run latency` is the full benchmark. Never throws: a failure is logged and becomes part of the run model
 * (`latencyProbe.error` and a broken Allure result), leaving the WAF verdicts and the exit status alone.
 * `previous`: summary.json's sections before this run (a full benchmark of the same stack stays in `latency`).
 */
export async function latencyProbe(stack: StackInfo, previous: Record<string, unknown>, log: Log, measure = measureLatencyProbe): Promise<StepOutput> {
  try {
    const section = await measure(stack, log);
    const placement = placeProbe(previous, section);
    const plots = await renderLatencyPlots(section);
    log(`latency probe → summary.json ${placement.key} (${placement.reason}); plots ${plots.map((p) => p.path).join(", ")}`);
    const result = latencyResult(section, plots, { id: ALLURE_ID, name: "Latency overhead of the WAF (probe)", status: "passed", message: `${section.wasmSource ?? ""}; full figures: npm run latency` });
    return { sections: { [placement.key]: section }, files: plots, extraResults: [result] };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    log(`latency probe FAILED (no overhead figure in this report; the WAF verdicts are unaffected): ${message}`);
    return {
      sections: { latencyProbe: { error: message, failedAt: new Date().toISOString() } },
      extraResults: [{ id: ALLURE_ID, name: "Latency overhead of the WAF (probe)", status: "broken", message: `latency probe failed: ${message}`, labels: LATENCY_LABELS, attachments: [] }],
    };
  }
}

/** Runs the probe's cells and builds its section (no file is written: the run model carries it). */
export async function measureLatencyProbe(stack: StackInfo, log: Log): Promise<LatencySection> {
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
    stack: {
      envoyVersion: stack.envoyVersion,
      wasmSha256: stack.wasmSha256,
      pluginConfigSha256: stack.pluginConfigSha256,
      manifestPluginConfigSha256: stack.pluginConfigSha256,
      paranoia: null,
    },
    results,
    comparisons: def.comparisons.filter((c) => PROBE.scenarios.includes(c.scenario) && PROBE.scenarios.includes(c.baseline)),
    floor: null,
    thresholds: evaluateThresholds(def.thresholds, results),
    bootstrap: { seed: engine.seed, resamples: 1000 },
    model: "per-scenario",
    definition: "probe (npm run waf)",
    kind: "probe",
  });
  for (const s of section.scenarios) log(`probe ${s.name} ${s.shape}: n=${s.n}, p50 ${s.p50Ms?.toFixed(2) ?? "-"} ms, p99 ${s.p99Ms?.toFixed(2) ?? "-"} ms`);
  for (const o of section.overhead) log(`probe ${formatOverheadLine(o, 2)}`);
  return section;
}
