import { isEstimable, notEstimable, quantileSorted, type CellResult } from "../latency/index.ts";
import { cpuMsPer1k } from "../stack/index.ts";
import { blocksOf, pairedEstimate, type PairedEstimate } from "./paired-rounds.ts";

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

/**
 * Candidate vs base for one shape: the paired-round estimate (paired-rounds.ts: 95 % intervals from resampling whole
 * rounds; 0 or 1 inside is no measurable change), the CPU ratio's lowest–highest over the rounds, and the precision.
 */
export interface CostDelta extends Omit<PairedEstimate, "baseP50Ms"> {
  shape: string;
  /** Interval half-widths as a share of the base (p50: of the base's p50; CPU: of a ratio of 1), and whether both are within the limit. */
  precision: { p50HalfWidthPct: number; cpuHalfWidthPct: number | null; limitPct: number; backed: boolean };
}

/** The review states a figure only when its interval is at most ±5 % of the base: tighter claims need a quieter machine. */
export const PRECISION_LIMIT_PCT = 5;

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

export function costDelta(shape: string, base: CellResult, candidate: CellResult): CostDelta | null {
  const e = pairedEstimate(blocksOf(base), blocksOf(candidate));
  if (!e) return null;
  const halfWidthPct = ([lo, hi]: [number, number], of: number) => round(((hi - lo) / 2 / of) * 100, 1);
  const p50HalfWidthPct = e.baseP50Ms > 0 ? halfWidthPct(e.p50DeltaCi95, e.baseP50Ms) : Number.POSITIVE_INFINITY;
  const cpuHalfWidthPct = e.cpuRatioCi95 ? halfWidthPct(e.cpuRatioCi95, 1) : null;
  const { baseP50Ms: _base, ...estimate } = e;
  return {
    shape,
    ...estimate,
    precision: {
      p50HalfWidthPct,
      cpuHalfWidthPct,
      limitPct: PRECISION_LIMIT_PCT,
      backed: p50HalfWidthPct <= PRECISION_LIMIT_PCT && (cpuHalfWidthPct === null || cpuHalfWidthPct <= PRECISION_LIMIT_PCT),
    },
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
