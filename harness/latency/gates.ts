import type { WafEnv } from "../config/index.ts";
import type { LatencySection } from "./report.ts";

export interface LatencyGateOptions {
  /** WAF_MAX_P95_OVERHEAD_MS: p95 of a scenario minus p95 of its baseline, per shape. */
  maxP95OverheadMs?: number;
  /** WAF_MAX_P50_RATIO: p50 of a scenario over p50 of its baseline, per shape. */
  maxP50Ratio?: number;
}

/** Optional regression gates for nightly CI (off unless set). One line per checked overhead entry. */
export function latencyGateLines(section: Pick<LatencySection, "scenarios" | "overhead">, options: LatencyGateOptions): string[] {
  const lines: string[] = [];
  if (options.maxP95OverheadMs === undefined && options.maxP50Ratio === undefined) return lines;
  const p95 = (name: string, shape: string) => section.scenarios.find((s) => s.name === name && s.shape === shape)?.p95Ms ?? null;
  for (const o of section.overhead) {
    const label = `latency ${o.scenario} vs ${o.baseline} ${o.shape}`;
    if (options.maxP95OverheadMs !== undefined) {
      const a = p95(o.scenario, o.shape);
      const b = p95(o.baseline, o.shape);
      if (a !== null && b !== null) {
        const delta = a - b;
        lines.push(`${delta <= options.maxP95OverheadMs ? "ok  " : "FAIL"} ${label}: p95 +${delta.toFixed(2)} ms (at most ${options.maxP95OverheadMs})`);
      }
    }
    if (options.maxP50Ratio !== undefined && o.p50Ratio !== null)
      lines.push(`${o.p50Ratio <= options.maxP50Ratio ? "ok  " : "FAIL"} ${label}: p50 ×${o.p50Ratio} (at most ×${options.maxP50Ratio})`);
  }
  return lines;
}

/** The gates as the environment sets them (WAF_MAX_P95_OVERHEAD_MS, WAF_MAX_P50_RATIO). */
export function latencyGateOptions(env: Pick<WafEnv, "WAF_MAX_P95_OVERHEAD_MS" | "WAF_MAX_P50_RATIO">): LatencyGateOptions {
  return { maxP95OverheadMs: env.WAF_MAX_P95_OVERHEAD_MS, maxP50Ratio: env.WAF_MAX_P50_RATIO };
}
