import { bootstrapOverhead, isEstimable, notEstimable, quantileSorted, type CellResult } from "../latency/index.ts";
import { cpuMsPer1k } from "../stack/index.ts";

/** Where a cost cell sends: Envoy without the WAF (the floor both sides pay), or one side's directive set. */
export type CostSide = "no-waf" | "base" | "candidate";

/** A percentile (q in 0-1) only where the sample supports it (isEstimable); otherwise null with the reason. */
export function estimablePercentile(sorted: ArrayLike<number>, q: number): { value: number } | { value: null; reason: string } {
  const n = sorted.length;
  if (!isEstimable(n, q * 100)) return { value: null, reason: notEstimable(n) };
  return { value: Math.round(quantileSorted(sorted, q) * 1000) / 1000 };
}

export interface CostRow {
  shape: string;
  side: CostSide;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Why a percentile is missing. */
  notes: string[];
  /** Envoy CPU per 1,000 requests over the side's blocks, and per round (the rounds interleave with the other sides). */
  cpuMsPer1k: number | null;
  cpuMsPer1kRounds: number[];
  requests: number;
}

export interface CostDelta {
  shape: string;
  /** Candidate minus base, with 95 % bootstrap intervals: a CI that contains 0 is no measurable change. */
  p50DeltaMs: number;
  p50DeltaCi95: [number, number];
  p99DeltaMs: number | null;
  p99DeltaCi95: [number, number] | null;
  /** Candidate CPU per request over base's, overall and its spread over the rounds. */
  cpuRatio: number | null;
  cpuRatioRounds: [number, number] | null;
}

/** The blocks that sent requests (a block cut short by the cell's budget may have sent none). */
const meteredBlocks = (cell: CellResult) => cell.cpuBlocks.filter((b) => b.requests > 0);

/** The blocks of a cell in `rounds` consecutive groups: what each group cost per 1,000 requests. */
export function cpuRounds(cell: CellResult, rounds: number): number[] {
  const blocks = meteredBlocks(cell);
  if (blocks.length < rounds) return [];
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const group = blocks.slice(Math.floor((r * blocks.length) / rounds), Math.floor(((r + 1) * blocks.length) / rounds));
    out.push(per1k(group));
  }
  return out;
}

const per1k = (blocks: ReadonlyArray<{ cpuSeconds: number; requests: number }>) => cpuMsPer1k(blocks) ?? 0;

export function costRow(shape: string, side: CostSide, cell: CellResult, rounds: number): CostRow {
  const sorted = Float64Array.from(cell.samplesMs).sort();
  const p = [0.5, 0.95, 0.99].map((q) => estimablePercentile(sorted, q));
  const blocks = meteredBlocks(cell);
  return {
    shape,
    side,
    n: sorted.length,
    p50Ms: p[0]!.value,
    p95Ms: p[1]!.value,
    p99Ms: p[2]!.value,
    notes: p.flatMap((x, i) => (x.value === null ? [`p${[50, 95, 99][i]} ${x.reason}`] : [])),
    cpuMsPer1k: cpuMsPer1k(blocks),
    cpuMsPer1kRounds: cpuRounds(cell, rounds),
    requests: blocks.reduce((s, b) => s + b.requests, 0),
  };
}

export function costDelta(shape: string, base: CellResult, candidate: CellResult, rounds: number): CostDelta | null {
  const estimate = bootstrapOverhead(candidate.samplesMs, base.samplesMs);
  if (!estimate) return null;
  const p99Ok = isEstimable(Math.min(base.samplesMs.length, candidate.samplesMs.length), 99);
  const [roundsB, roundsC] = [cpuRounds(base, rounds), cpuRounds(candidate, rounds)];
  const ratios = roundsB.map((x, i) => (x > 0 ? roundsC[i]! / x : NaN)).filter(Number.isFinite);
  const [cpuB, cpuC] = [cpuMsPer1k(meteredBlocks(base)), cpuMsPer1k(meteredBlocks(candidate))];
  return {
    shape,
    p50DeltaMs: estimate.p50DeltaMs,
    p50DeltaCi95: estimate.p50DeltaCi95,
    p99DeltaMs: p99Ok ? estimate.p99DeltaMs : null,
    p99DeltaCi95: p99Ok ? estimate.p99DeltaCi95 : null,
    cpuRatio: cpuB && cpuC !== null ? round(cpuC / cpuB, 3) : null,
    cpuRatioRounds: ratios.length > 0 ? [round(Math.min(...ratios), 3), round(Math.max(...ratios), 3)] : null,
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
