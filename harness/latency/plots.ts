/**
 * SVG plots of a latency section, drawn with vega-lite: they read only the summary's data, so they
 * can be redrawn from any summary.json. No browser or canvas: vega renders SVG text in Node.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg } from "../report/index.ts";
import type { LatencySection } from "./report.ts";

const PERCENTILES = [
  { key: "p50Ms", label: "p50" },
  { key: "p95Ms", label: "p95" },
  { key: "p99Ms", label: "p99" },
  { key: "maxMs", label: "max" },
] as const;

type Distribution = { n: number; quantilesMs?: Array<[number, number]> } & Record<(typeof PERCENTILES)[number]["key"], number | null>;

/**
 * Latency distribution per shape: one CDF per scenario (x: latency on a log scale, y: share of requests at or
 * below it), the engine floor dashed as reference. Summaries written before the quantile grid existed fall
 * back to their four percentiles.
 */
export function distributionSpec(section: LatencySection): TopLevelSpec {
  const rows: Array<Record<string, string | number>> = [];
  const shapes = [...new Set(section.scenarios.map((s) => s.shape))];
  const push = (scenario: string, shape: string, entry: Distribution) => {
    const points: Array<[number, number | null]> = entry.quantilesMs?.length
      ? entry.quantilesMs
      : PERCENTILES.map(({ key, label }) => [label === "max" ? 100 : Number(label.slice(1)), entry[key]]);
    for (const [percentile, ms] of points) if (ms !== null && ms > 0) rows.push({ scenario, shape, percentile, ms, n: entry.n });
  };
  for (const s of section.scenarios) push(s.name, s.shape, s);
  if (section.engineFloor) for (const shape of shapes) push("engine floor", shape, section.engineFloor);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Latency distribution by request shape",
      subtitle: [
        `share of requests at or below each latency (CDF)${section.engineFloor ? "; dashed: what the load engine itself costs" : ""}`,
        provenance(section),
      ],
    },
    data: { values: rows },
    facet: { field: "shape", type: "nominal", title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 160,
      mark: { type: "line", strokeWidth: 1.5, interpolate: "step-after", point: { filled: true, size: 12 } },
      encoding: {
        x: { field: "ms", type: "quantitative", scale: { type: "log" }, title: "latency (ms, log)" },
        y: { field: "percentile", type: "quantitative", scale: { domain: [0, 100] }, title: "% of requests ≤ x" },
        order: { field: "percentile", type: "quantitative" },
        color: { field: "scenario", type: "nominal", title: "scenario" },
        strokeDash: {
          condition: { test: "datum.scenario === 'engine floor'", value: [4, 3] },
          value: [1, 0],
        },
        tooltip: [{ field: "scenario" }, { field: "percentile", title: "percentile" }, { field: "ms", format: ".3f" }, { field: "n", title: "n" }],
      },
    },
  } satisfies TopLevelSpec;
}

/** p50 overhead per shape with its 95 % bootstrap interval as error bars. */
// Deltas span 0.2 ms (Envoy) to ~600 ms (CRS on a 10 KiB JSON body) and may be negative: a symmetric log scale
// shows both ends; explicit ticks, because vega's default symlog ticks skip everything between 0 and 100.
const SYMLOG_TICKS = [-10, -1, 0, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

export function overheadSpec(section: LatencySection): TopLevelSpec {
  const stopped = (scenario: string, shape: string) => section.scenarios.find((s) => s.name === scenario && s.shape === shape)?.stoppedBy === "time";
  const rows = section.overhead
    .filter((o) => o.p50DeltaMs !== null && o.p50DeltaCi95 !== null)
    .map((o) => ({
      comparison: `${o.scenario} − ${o.baseline}`,
      shape: o.shape,
      delta: o.p50DeltaMs!,
      lo: o.p50DeltaCi95![0],
      hi: o.p50DeltaCi95![1],
      ratio: o.p50Ratio ?? 0,
      n: o.n,
      baselineN: o.baselineN,
      // The value, then n; a cell that ran out of its time budget before its sample target says so.
      label: `+${formatMs(o.p50DeltaMs!)} ms (n=${o.n}${stopped(o.scenario, o.shape) ? ", time budget" : ""})`,
    }));
  // Headroom above the highest interval, and only the ticks inside the domain (distinct labels: "~g").
  const top = Math.max(1, ...rows.map((r) => r.hi)) * 2;
  const bottom = Math.min(0, ...rows.map((r) => r.lo));
  const ticks = SYMLOG_TICKS.filter((t) => t >= bottom && t <= top);
  const thresholds = section.thresholds.map((t) => `${t.ok === null ? "?" : t.ok ? "✓" : "✗"} ${t.metric} ${t.expression}${t.value !== null ? ` (${formatMs(t.value)}${t.n !== undefined ? `, n=${t.n}` : ""})` : ""}`);
  const y = { field: "lo", type: "quantitative" as const, title: "p50 delta (ms, symlog)", scale: { type: "symlog" as const, domain: [bottom, top] }, axis: { values: ticks, format: "~g" } };
  const x = { field: "shape", type: "nominal", title: "request shape", axis: { labelAngle: -30 } } as const;
  const xOffset = { field: "comparison", type: "nominal" } as const;
  const color = { field: "comparison", type: "nominal", title: "overhead of" } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "p50 overhead per request shape",
      subtitle: [
        "difference of medians with its 95 % bootstrap interval; n = samples of the scenario (time budget: the cell stopped before its sample target)",
        provenance(section),
        ...(thresholds.length > 0 ? [`thresholds: ${thresholds.join("; ")}`] : []),
      ],
    },
    width: 520,
    height: 280,
    data: { values: rows },
    layer: [
      { mark: { type: "rule", color: "#999" }, encoding: { y: { datum: 0 } } },
      { mark: { type: "errorbar", ticks: true, thickness: 2 }, encoding: { x, xOffset, color, y, y2: { field: "hi" } } },
      {
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x,
          xOffset,
          color,
          y: { field: "delta", type: "quantitative" },
          tooltip: [
            { field: "comparison" },
            { field: "shape" },
            { field: "delta", format: ".3f" },
            { field: "lo" },
            { field: "hi" },
            { field: "ratio" },
            { field: "n", title: "n" },
            { field: "baselineN", title: "baseline n" },
          ],
        },
      },
      {
        mark: { type: "text", fontSize: 9, dy: -6, baseline: "bottom", color: "#333" },
        encoding: { x, xOffset, y: { field: "hi", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  } satisfies TopLevelSpec;
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** File-name prefixes: the full benchmark's plots and the probe's (npm run waf) never overwrite each other. */
export const PLOT_PREFIX = { benchmark: "latency", probe: "latency-probe" } as const;

/** <prefix>-distribution.svg and <prefix>-overhead.svg as text, by file name. */
export async function renderLatencyPlots(section: LatencySection, prefix: string = PLOT_PREFIX[section.run.kind]): Promise<Array<{ path: string; content: string }>> {
  const files: Array<[string, TopLevelSpec]> = [
    [`${prefix}-distribution.svg`, distributionSpec(section)],
    [`${prefix}-overhead.svg`, overheadSpec(section)],
  ];
  const out: Array<{ path: string; content: string }> = [];
  for (const [path, spec] of files) out.push({ path, content: await renderSvg(spec) });
  return out;
}

/** Writes <prefix>-distribution.svg and <prefix>-overhead.svg into `dir`; returns their paths. */
export async function writeLatencyPlots(section: LatencySection, dir: string, prefix: string = PLOT_PREFIX[section.run.kind]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const plot of await renderLatencyPlots(section, prefix)) {
    const path = join(dir, plot.path);
    await writeFile(path, plot.content);
    written.push(path);
  }
  return written;
}

/** The plug-in's provenance on every plot: a standard-Go build is slower than the TinyGo release. */
function provenance(section: LatencySection): string {
  const envoy = section.stack ? `Envoy ${section.stack.envoyVersion}; ` : "";
  return `${envoy}plug-in: ${section.wasmSource ?? "unknown"}`;
}
