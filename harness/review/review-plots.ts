import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg, writeFileAtomic } from "../report/index.ts";
import type { CostSection } from "./measure-cost.ts";

const SIDE_ORDER = ["no-waf", "base", "candidate"];

/** Grouped bars per request shape: Envoy without the WAF, base, candidate (log scale: CRS cells are 10-100× Envoy's). */
export function costSpec(cost: CostSection, measure: "p50Ms" | "cpuMsPer1k", title: string, axis: string): TopLevelSpec {
  const values = cost.rows.filter((r) => r[measure] !== null && r[measure]! > 0).map((r) => ({ shape: r.shape, side: r.side, value: r[measure], n: r.n }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, subtitle: `${cost.mode}; interleaved blocks, at most ${cost.samples} samples per cell` },
    data: { values },
    width: 420,
    height: 220,
    mark: "bar",
    encoding: {
      x: { field: "shape", type: "nominal", title: "request shape", axis: { labelAngle: 0 } },
      xOffset: { field: "side", sort: SIDE_ORDER },
      y: { field: "value", type: "quantitative", title: axis, scale: { type: "log" } },
      color: { field: "side", type: "nominal", sort: SIDE_ORDER, title: null, legend: { orient: "bottom" } },
      tooltip: [{ field: "side" }, { field: "value", title: axis }, { field: "n" }],
    },
  };
}

/** reports/review-latency.svg and reports/review-cpu.svg; returned for the Allure result too. */
export async function reviewPlots(cost: CostSection, reports: string): Promise<Array<{ name: string; svg: string }>> {
  const plots = [
    { name: "review-latency.svg", svg: await renderSvg(costSpec(cost, "p50Ms", "p50 latency per request shape", "p50 (ms, log scale)")) },
    { name: "review-cpu.svg", svg: await renderSvg(costSpec(cost, "cpuMsPer1k", "Envoy CPU per 1,000 requests", "CPU ms per 1,000 requests (log scale)")) },
  ];
  for (const p of plots) await writeFileAtomic(join(reports, p.name), p.svg);
  return plots;
}
