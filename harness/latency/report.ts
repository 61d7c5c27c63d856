/**
 * The `latency` section of reports/summary.json. Its keys are a contract with users' CI:
 * add keys, never rename. Other sections of summary.json are kept as they are.
 */
import { readFile } from "node:fs/promises";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "../report/write-atomic.ts";
import type { CellResult, LoadModel, StopReason } from "./engine.ts";
import { bootstrapOverhead, summarize, type BootstrapOptions, type LatencySummary } from "./stats.ts";
import type { ThresholdResult } from "./thresholds.ts";

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
}

export interface FloorEntry {
  model: LoadModel;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  note: string;
}

export interface LatencySection {
  wasmSource: string | null;
  /** The stack the load went through (provenance beside every number), when the harness started it. */
  stack?: { envoyVersion: string; wasmSha256: string; pluginConfigSha256: string; paranoia: number | null } | null;
  scenarios: ScenarioEntry[];
  overhead: OverheadEntry[];
  engineFloor: FloorEntry | null;
  thresholds: ThresholdResult[];
  run: {
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
  floor: CellResult | null;
  thresholds: ThresholdResult[];
  bootstrap: Required<BootstrapOptions>;
  model: LatencySection["run"]["model"];
  definition: string;
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
    run: {
      generatedAt: (input.now ?? new Date()).toISOString(),
      model: input.model,
      seed: input.bootstrap.seed,
      bootstrapResamples: input.bootstrap.resamples,
      definition: input.definition,
    },
  };
}

function scenarioEntry(r: CellResult): ScenarioEntry {
  const s = summarize(r.samplesMs);
  return {
    name: r.spec.scenario,
    shape: r.spec.shape,
    n: s.n,
    p50Ms: s.p50Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    meanMs: s.meanMs,
    target: r.spec.tags.target ?? null,
    expectStatus: r.spec.expectStatus,
    attempts: r.attempts,
    mismatches: r.mismatches,
    errors: r.errors,
    dropped: r.dropped,
    statusCounts: r.statusCounts,
    errorCodes: r.errorCodes,
    stoppedBy: r.stoppedBy,
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
  return {
    scenario,
    baseline,
    shape: r.spec.shape,
    p50DeltaMs: o?.p50DeltaMs ?? null,
    p50Ratio: o?.p50Ratio ?? null,
    p50DeltaCi95: o?.p50DeltaCi95 ?? null,
    p99DeltaMs: o?.p99DeltaMs ?? null,
    p99DeltaCi95: o?.p99DeltaCi95 ?? null,
    p50RatioCi95: o?.p50RatioCi95 ?? null,
    n: r.samplesMs.length,
    baselineN: base.samplesMs.length,
  };
}

function floorEntry(r: CellResult): FloorEntry {
  const s = summarize(r.samplesMs);
  return {
    model: r.spec.model,
    n: s.n,
    p50Ms: s.p50Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    note: "engine + loopback + a node:http server answering at once: latencies below this are not resolvable",
  };
}

/**
 * Puts `latency` into summary.json, keeping every other key. A summary.json that is not valid
 * JSON is left alone (an error) rather than replaced: it may hold another run's results.
 */
export async function mergeLatencyIntoSummary(summaryPath: string, section: LatencySection): Promise<void> {
  let previous: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = await readFile(summaryPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UserError(`${summaryPath} is not valid JSON; not overwriting it (move it away and run again)`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new UserError(`${summaryPath} is not a JSON object; not overwriting it`);
    previous = parsed as Record<string, unknown>;
  }
  await writeFileAtomic(summaryPath, `${JSON.stringify({ ...previous, latency: section }, null, 2)}\n`);
}
