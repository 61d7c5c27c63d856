/** The soak's summary.json section, plot spec and Allure result. Pure. */
import type { TopLevelSpec } from "vega-lite";
import type { ExtraResult } from "../report/index.ts";
import { MB, type GateResult, type SoakFigures, type SoakWindow, type WindowWithSamples } from "./analysis.ts";

export interface SoakSection extends SoakFigures {
  manifest: string;
  pluginConfigSha256: string;
  /** The manifest's vmConfig.env as the plug-in VM got it (e.g. GOGC). */
  vmEnv: Record<string, string> | null;
  stack: { envoyVersion: string; wasmSha256: string; wasmSource: string };
  load: { model: "open"; ratePerSec: number; attackShare: number; benignShapes: string[]; attackShapes: string[]; windowSec: number; maxRequests: number; maxDurationSec: number };
  elapsedSec: number;
  stoppedBy: string;
  /** Growth in MB (10^6 bytes) per 100,000 requests: the slope of Envoy's memory over cumulative requests. */
  growthMbPer100k: number | null;
  growthCi95: [number, number] | null;
  statusCounts: Record<string, number>;
  errorCodes: Record<string, number>;
  /** The first few answers with an unexpected status (shape, status, the first 300 characters of the body). */
  unexpectedSamples: Array<{ shape: string; status: number; body: string }>;
  gates: GateResult[];
  passed: boolean;
  windowRows: SoakWindow[];
  definition: string;
  generatedAt: string;
}

export const SOAK_DEFINITION =
  "Open model at a constant arrival rate; every window, Envoy's container memory (docker stats: usage minus inactive file cache) and CPU are read. " +
  "Growth = least-squares slope of memory (MB = 10^6 bytes) over cumulative requests, warm-up windows excluded, per 100,000 requests, " +
  "95 % interval = slope ± t(0.975, n − 2) × its standard error; the growth gate compares the interval's lower bound. " +
  "Outside Envoy's heap = RSS minus tcmalloc's physical bytes (admin /memory): the wasm VMs' memory and code, which Envoy does not report itself; its growth is fitted the same way. " +
  "Restarts = Envoy's uptime going back, wasm VMs created after the first window, or plug-in VM reloads (admin /stats): any fails the run. " +
  "p99 drift = p99 of the last quarter of the post-warm-up windows over that of the first quarter (samples pooled, latency from each request's scheduled start).";

export function soakSection(input: Omit<SoakSection, keyof SoakFigures | "growthMbPer100k" | "growthCi95" | "passed" | "windowRows" | "definition"> & { figures: SoakFigures; windows: readonly WindowWithSamples[] }): SoakSection {
  const { figures, windows, ...rest } = input;
  return {
    ...rest,
    ...figures,
    growthMbPer100k: figures.growth.mbPer100k,
    growthCi95: figures.growth.ci95,
    passed: input.gates.every((g) => g.ok),
    windowRows: windows.map(({ latenciesMs: _samples, ...row }) => row),
    definition: SOAK_DEFINITION,
  };
}

/** Memory (the container's and the wasm VMs' share) and p99 per window over cumulative requests; warm-up shaded. */
export function soakPlotSpec(section: SoakSection): TopLevelSpec {
  const mb = (b: number | null) => (b === null ? null : Math.round((b / MB) * 10) / 10);
  const memory = section.windowRows.flatMap((w) => [
    { requests: w.requests, series: "Envoy container", mb: mb(w.memoryBytes) },
    ...(w.outsideHeapBytes === null || w.outsideHeapBytes === undefined ? [] : [{ requests: w.requests, series: "outside Envoy's heap (wasm VMs)", mb: mb(w.outsideHeapBytes) }]),
  ]);
  const latency = section.windowRows.map((w) => ({ requests: w.requests, p99Ms: w.p99Ms }));
  const warmupEnd = section.windowRows[section.warmupWindows - 1]?.requests ?? 0;
  const g = section.growth;
  const title = `${section.manifest}: ${g.mbPer100k ?? "?"} MB per 100k requests${g.ci95 ? ` [${g.ci95[0]}, ${g.ci95[1]}]` : ""}, p99 drift ×${section.p99Drift.ratio ?? "?"} (${section.requests} requests, ${section.load.ratePerSec}/s)`;
  const x = { field: "requests", type: "quantitative", title: "requests sent (cumulative)" } as const;
  const warmup = { data: { values: [{ from: 0, to: warmupEnd, label: "warm-up (left out)" }] }, mark: { type: "rect", color: "#9e9e9e", opacity: 0.15 }, encoding: { x: { field: "from", type: "quantitative" }, x2: { field: "to" } } } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    vconcat: [
      {
        width: 640,
        height: 200,
        layer: [
          warmup,
          {
            data: { values: memory },
            mark: { type: "line", point: true },
            encoding: { x, y: { field: "mb", type: "quantitative", title: "memory (MB); grey: warm-up, left out", scale: { zero: false } }, color: { field: "series", type: "nominal", title: null }, tooltip: [{ field: "series" }, { field: "requests" }, { field: "mb" }] },
          },
        ],
      },
      {
        width: 640,
        height: 160,
        layer: [
          warmup,
          {
            data: { values: latency },
            mark: { type: "line", point: true, color: "#d62728" },
            encoding: { x, y: { field: "p99Ms", type: "quantitative", title: "p99 of the window (ms)", scale: { zero: false } }, tooltip: [{ field: "requests" }, { field: "p99Ms" }] },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** One Allure result: the verdict of the gates, with the section and the plot attached. */
export function soakAllureResult(section: SoakSection, svg: string): ExtraResult {
  const failed = section.gates.filter((g) => !g.ok);
  return {
    id: "wafcheck-soak",
    name: "Sustained load: memory growth and p99 drift (npm run soak)",
    status: failed.length ? "failed" : "passed",
    message: section.gates.map((g) => g.line).join("\n"),
    labels: [
      { name: "epic", value: "Latency" },
      { name: "feature", value: "Sustained load" },
      { name: "suite", value: "soak" },
    ],
    parameters: [
      { name: "manifest", value: section.manifest },
      { name: "rate", value: `${section.load.ratePerSec}/s` },
      { name: "wasm", value: section.stack.wasmSource },
      { name: "Envoy", value: section.stack.envoyVersion },
    ],
    attachments: [
      { name: "soak.json", content: `${JSON.stringify(section, null, 2)}\n`, type: "application/json" },
      { name: "soak.svg", content: svg, type: "image/svg+xml" },
    ],
  };
}

/** The progress line printed after each window. */
export function windowLine(w: SoakWindow, planned: number): string {
  const mb = (b: number | null) => (b === null ? "-" : (b / MB).toFixed(1));
  const failures = w.errors + w.unexpected + w.dropped;
  const vms = w.vm?.vmsActive == null ? "" : `, ${w.vm.vmsActive} wasm VMs ${mb(w.outsideHeapBytes)} MB outside Envoy's heap`;
  return `window ${w.index + 1} (${w.endSec.toFixed(0)} s): ${w.requests}/${planned} requests, memory ${mb(w.memoryBytes)} MB (RSS ${mb(w.rssBytes)}${vms}), p50 ${w.p50Ms ?? "-"} ms, p99 ${w.p99Ms ?? "-"} ms, CPU ${w.cpuMsPer1k ?? "-"} ms/1k${failures ? `, ${w.errors} errors, ${w.unexpected} unexpected (${w.status5xx} 5xx), ${w.dropped} dropped` : ""}`;
}
