/**
 * The `latency` section of reports/summary.json. Its keys are a contract with users' CI:
 * add keys, never rename. Other sections of summary.json are kept as they are.
 */
import { updateSummary } from "../report/index.ts";
import type { CellResult, LoadModel, StopReason } from "./engine.ts";
import { bootstrapOverhead, isEstimable, notEstimable, summarize, type BootstrapOptions, type LatencySummary } from "./stats.ts";
import type { ThresholdResult } from "./thresholds.ts";
import type { EngineFloor } from "./floor.ts";
import { cpuMsPer1k, type CpuPinning } from "../stack/index.ts";

/** Contract keys: name, shape, n, p50Ms, p95Ms, p99Ms, maxMs; the rest are extensions. */
export interface ScenarioEntry extends LatencySummary {
  name: string;
  shape: string;
  target: string | null;
  expectStatus: number;
  attempts: number;
  mismatches: number;
  errors: number;
  dropped: number;
  statusCounts: Record<string, number>;
  errorCodes: Record<string, number>;
  stoppedBy: StopReason | null;
  /** Percentiles left out (null) because the sample does not support them, with the reason: "p99: not estimable (n = 24)". */
  notEstimable?: string[];
  /** Envoy's CPU per 1,000 requests of this cell (its container's cgroup, read around each block); null: not Envoy or not metered. */
  envoyCpuMsPer1k?: number | null;
}

export interface OverheadEntry {
  scenario: string;
  baseline: string;
  shape: string;
  p50DeltaMs: number | null;
  p50Ratio: number | null;
  p50DeltaCi95: [number, number] | null;
  p99DeltaMs: number | null;
  // Extensions beyond the contract:
  p99DeltaCi95: [number, number] | null;
  p50RatioCi95: [number, number] | null;
  n: number;
  baselineN: number;
  /** Why p99DeltaMs is null: the smaller sample does not support a p99. */
  p99Note?: string;
  /**
   * The p50 overhead in each third of the run (blocks are interleaved, so each third saw the same moments for both
   * cells) and how far apart they were, in % of the whole run's figure: how steady the machine was during the run.
   */
  p50DeltaRounds?: number[];
  roundsSpreadPct?: number;
}

export interface FloorEntry {
  model: LoadModel;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  quantilesMs?: Array<[number, number]>;
  /** A plain undici request loop against the same server, same run: what the engine's own cost is held to. */
  bareP50Ms?: number | null;
  bareN?: number;
  /** p50 of the engine floor over the bare loop's (target ≤ 1.25). */
  ratioToBare?: number | null;
  note: string;
}

/** The stack the load went through (provenance beside every number), when the harness started it. */
export interface StackFacts {
  envoyVersion: string;
  wasmSha256: string;
  /** The pluginConfig this Envoy loaded (the benchmark adds the seed and paranoia sets to the manifest's). */
  pluginConfigSha256: string;
  /** The manifest's own pluginConfig, which the `waf_crs` scenario measures (as `npm run waf` loads it). */
  manifestPluginConfigSha256?: string;
  paranoia: number | null;
}

export interface LatencySection {
  wasmSource: string | null;
  stack?: StackFacts | null;
  scenarios: ScenarioEntry[];
  overhead: OverheadEntry[];
  engineFloor: FloorEntry | null;
  thresholds: ThresholdResult[];
  /** The local Envoy's memory after the load and where its CPU figures come from (local stacks only). */
  envoy?: { rssBytes: number; memoryBytes: number; cpuSource: string };
  /** Local stack: whether Envoy had CPUs of its own (harness/stack/cpu-pinning.ts). */
  cpuPinning?: CpuPinning;
  run: {
    /** benchmark: `npm run latency`; probe: the short run at the end of `npm run waf`. */
    kind: "benchmark" | "probe";
    generatedAt: string;
    model: "open" | "closed" | "per-scenario";
    seed: number;
    bootstrapResamples: number;
    definition: string;
  };
}

export interface SectionInput {
  wasmSource: string | null;
  stack?: LatencySection["stack"];
  results: readonly CellResult[];
  comparisons: ReadonlyArray<{ scenario: string; baseline: string }>;
  floor: EngineFloor | null;
  thresholds: ThresholdResult[];
  bootstrap: Required<BootstrapOptions>;
  model: LatencySection["run"]["model"];
  definition: string;
  kind: LatencySection["run"]["kind"];
  envoy?: LatencySection["envoy"];
  cpuPinning?: CpuPinning;
  now?: Date;
}

export function buildLatencySection(input: SectionInput): LatencySection {
  const scenarios = input.results.map(scenarioEntry);
  const byCell = new Map(input.results.map((r) => [`${r.spec.scenario}/${r.spec.shape}`, r]));
  const overhead: OverheadEntry[] = [];
  for (const { scenario, baseline } of input.comparisons) {
    for (const result of input.results) {
      if (result.spec.scenario !== scenario) continue;
      const base = byCell.get(`${baseline}/${result.spec.shape}`);
      if (!base) continue;
      overhead.push(overheadEntry(scenario, baseline, result, base, input.bootstrap));
    }
  }
  return {
    wasmSource: input.wasmSource,
    stack: input.stack ?? null,
    scenarios,
    overhead,
    engineFloor: input.floor ? floorEntry(input.floor) : null,
    thresholds: input.thresholds,
    ...(input.envoy && { envoy: input.envoy }),
    ...(input.cpuPinning && { cpuPinning: input.cpuPinning }),
    run: {
      kind: input.kind,
      generatedAt: (input.now ?? new Date()).toISOString(),
      model: input.model,
      seed: input.bootstrap.seed,
      bootstrapResamples: input.bootstrap.resamples,
      definition: input.definition,
    },
  };
}

/** p95/p99 (and the quantile grid) cut to what n supports: the reader never sees the maximum passed off as p99. */
function supported(s: LatencySummary): LatencySummary & { notEstimable?: string[] } {
  const cut = ([95, 99] as const).filter((p) => s.n > 0 && !isEstimable(s.n, p));
  if (cut.length === 0) return s;
  return {
    ...s,
    ...(cut.includes(95) && { p95Ms: null }),
    ...(cut.includes(99) && { p99Ms: null }),
    quantilesMs: s.quantilesMs.filter(([q]) => isEstimable(s.n, q)),
    notEstimable: cut.map((p) => `p${p}: ${notEstimable(s.n)}`),
  };
}

function scenarioEntry(r: CellResult): ScenarioEntry {
  const s = supported(summarize(r.samplesMs));
  return {
    name: r.spec.scenario,
    shape: r.spec.shape,
    n: s.n,
    p50Ms: s.p50Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    meanMs: s.meanMs,
    quantilesMs: s.quantilesMs,
    ...(s.notEstimable && { notEstimable: s.notEstimable }),
    target: r.spec.tags.target ?? null,
    expectStatus: r.spec.expectStatus,
    attempts: r.attempts,
    mismatches: r.mismatches,
    errors: r.errors,
    dropped: r.dropped,
    statusCounts: r.statusCounts,
    errorCodes: r.errorCodes,
    stoppedBy: r.stoppedBy,
    ...(r.cpuBlocks.length > 0 && { envoyCpuMsPer1k: r.spec.tags.target === "upstream" ? null : cpuMsPer1k(r.cpuBlocks) }),
  };
}

function overheadEntry(
  scenario: string,
  baseline: string,
  r: CellResult,
  base: CellResult,
  bootstrap: Required<BootstrapOptions>,
): OverheadEntry {
  const o = bootstrapOverhead(r.samplesMs, base.samplesMs, bootstrap);
  const p99 = isEstimable(Math.min(r.samplesMs.length, base.samplesMs.length), 99);
  return {
    scenario,
    baseline,
    shape: r.spec.shape,
    p50DeltaMs: o?.p50DeltaMs ?? null,
    p50Ratio: o?.p50Ratio ?? null,
    p50DeltaCi95: o?.p50DeltaCi95 ?? null,
    p99DeltaMs: p99 ? (o?.p99DeltaMs ?? null) : null,
    p99DeltaCi95: p99 ? (o?.p99DeltaCi95 ?? null) : null,
    ...(!p99 && o && { p99Note: notEstimable(Math.min(r.samplesMs.length, base.samplesMs.length)) }),
    ...roundsOf(r, base, o?.p50DeltaMs),
    p50RatioCi95: o?.p50RatioCi95 ?? null,
    n: r.samplesMs.length,
    baselineN: base.samplesMs.length,
  };
}

const ROUNDS = 3;

/** The samples of a cell in ROUNDS consecutive groups of its blocks (none when it ran fewer blocks than that). */
export function roundSamples(cell: Pick<CellResult, "samplesMs" | "blockEnds">, rounds = ROUNDS): number[][] {
  const ends = cell.blockEnds;
  if (ends.length < rounds) return [];
  return Array.from({ length: rounds }, (_, i) => {
    const first = Math.floor((i * ends.length) / rounds);
    const last = Math.floor(((i + 1) * ends.length) / rounds) - 1;
    return cell.samplesMs.slice(first === 0 ? 0 : ends[first - 1], ends[last]);
  });
}

function roundsOf(r: CellResult, base: CellResult, whole: number | undefined): Pick<OverheadEntry, "p50DeltaRounds" | "roundsSpreadPct"> {
  const a = roundSamples(r);
  const b = roundSamples(base);
  if (a.length === 0 || b.length === 0 || a.some((x) => x.length === 0) || b.some((x) => x.length === 0)) return {};
  const p50 = (xs: number[]) => summarize(xs).p50Ms!;
  const deltas = a.map((x, i) => Math.round((p50(x) - p50(b[i]!)) * 1000) / 1000);
  const spread = whole ? Math.round(((Math.max(...deltas) - Math.min(...deltas)) / Math.abs(whole)) * 1000) / 10 : undefined;
  return { p50DeltaRounds: deltas, ...(spread !== undefined && { roundsSpreadPct: spread }) };
}

function floorEntry(floor: EngineFloor): FloorEntry {
  const r = floor.cell;
  const s = supported(summarize(r.samplesMs));
  const bare = summarize(floor.bareSamplesMs);
  return {
    model: r.spec.model,
    n: s.n,
    p50Ms: s.p50Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    quantilesMs: s.quantilesMs,
    bareP50Ms: bare.p50Ms,
    bareN: bare.n,
    ratioToBare: s.p50Ms !== null && bare.p50Ms ? Math.round((s.p50Ms / bare.p50Ms) * 100) / 100 : null,
    note: "engine + loopback + a node:http server answering at once: latencies below this are not resolvable; bareP50Ms: a plain undici loop against the same server in the same run",
  };
}

/** `npm run latency`: puts `latency` into summary.json, keeping every other key (a probe's `latencyProbe` too). */
export async function mergeLatencyIntoSummary(summaryPath: string, section: LatencySection): Promise<void> {
  await updateSummary(summaryPath, (previous) => ({ ...previous, latency: section }));
}

export interface ProbePlacement {
  /** Where the probe's section goes. */
  key: "latency" | "latencyProbe";
  reason: string;
  summary: Record<string, unknown>;
}

/**
 * Where the short probe of `npm run waf` goes in summary.json. `latency` is what users' CI reads, and a full
 * benchmark's `latency` holds far more (every shape, thousands of samples, the engine floor): when the existing
 * `latency` is a full benchmark of the same stack (same wasm and the same pluginConfig as the one `waf_crs`
 * measured), it stays and the probe goes under `latencyProbe`. Otherwise (no benchmark, a probe, or another wasm
 * or config, whose figures would be stale) the probe writes `latency` and any old `latencyProbe` is dropped.
 */
export function placeProbe(previous: Record<string, unknown>, probe: LatencySection): ProbePlacement {
  const existing = previous.latency as Partial<LatencySection> | undefined;
  const toLatency = (reason: string): ProbePlacement => {
    const { latencyProbe: _dropped, ...rest } = previous;
    void _dropped;
    return { key: "latency", reason, summary: { ...rest, latency: probe } };
  };
  if (existing === undefined || existing === null || typeof existing !== "object") return toLatency("no latency section yet");
  if (!isBenchmark(existing)) return toLatency("the existing latency section is a probe");
  const stack = existing.stack;
  if (!stack || !probe.stack) return toLatency("the benchmark's stack is unknown (explicit URLs or a remote target)");
  if (stack.wasmSha256 !== probe.stack.wasmSha256) return toLatency("the benchmark measured another wasm");
  const benchConfig = stack.manifestPluginConfigSha256 ?? stack.pluginConfigSha256;
  if (benchConfig !== probe.stack.pluginConfigSha256) return toLatency("the benchmark measured another pluginConfig");
  return {
    key: "latencyProbe",
    reason: `kept the full benchmark of ${existing.run?.generatedAt ?? "an earlier run"} (same wasm and pluginConfig) in latency`,
    summary: { ...previous, latencyProbe: probe },
  };
}

function isBenchmark(section: Partial<LatencySection>): boolean {
  // Sections written before run.kind existed: the probe named itself in run.definition.
  return section.run?.kind !== undefined ? section.run.kind === "benchmark" : section.run?.definition !== "probe (npm run waf)";
}

/** One overhead figure as the CLIs print it, with n and the baseline's n beside it. */
export function formatOverheadLine(o: OverheadEntry, digits = 3): string {
  const ms = (x: number | null) => (x === null ? "-" : x.toFixed(digits));
  const signed = (x: number | null) => (x === null ? "-" : `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`);
  const ci = o.p50DeltaCi95 ? ` [${ms(o.p50DeltaCi95[0])}, ${ms(o.p50DeltaCi95[1])}]` : " (no interval)";
  const ratio = o.p50Ratio === null ? "-" : o.p50Ratio.toFixed(2);
  return `overhead ${o.scenario} vs ${o.baseline} ${o.shape} (n=${o.n}, baseline n=${o.baselineN}): p50 ${signed(o.p50DeltaMs)} ms${ci} (×${ratio}), p99 ${o.p99DeltaMs === null && o.p99Note ? o.p99Note : `${signed(o.p99DeltaMs)} ms`}${
    o.p50DeltaRounds ? `; p50 by thirds of the run ${o.p50DeltaRounds.map(signed).join(" / ")} ms${o.roundsSpreadPct !== undefined ? ` (${o.roundsSpreadPct} % apart)` : ""}` : ""
  }`;
}
