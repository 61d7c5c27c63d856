import { isEstimable, mulberry32, quantileSorted, type CellResult } from "../latency/index.ts";

/**
 * Candidate vs base, paired by round. The engine runs every cell once per round (short blocks, random order), so
 * a round's base and candidate blocks were measured within a second or two of each other: whatever the machine
 * did meanwhile (a neighbour's build, a cache flush) hit both. Rounds, not requests, are the independent units:
 * the intervals come from resampling whole rounds for both sides at once (a paired cluster bootstrap), so drift
 * between rounds widens them instead of faking a difference, and drift within a round cancels.
 */
export interface RoundBlock {
  samplesMs: number[];
  cpuSeconds: number;
  requests: number;
}

export interface PairedEstimate {
  rounds: number;
  p50DeltaMs: number;
  p50DeltaCi95: [number, number];
  /** null where the pooled sample is too small for a p99 (isEstimable, as the rows' percentiles). */
  p99DeltaMs: number | null;
  p99DeltaCi95: [number, number] | null;
  cpuRatio: number | null;
  cpuRatioCi95: [number, number] | null;
  /** The middle half of the per-round figures: how far apart the rounds were. */
  roundSpread: { p50DeltaMs: [number, number]; cpuRatio: [number, number] | null };
  /** The lowest and highest per-round CPU ratio. */
  cpuRatioRounds: [number, number] | null;
  baseP50Ms: number;
}

/** A cell's blocks in order, each with its own samples (blockEnds) and CPU (cpuBlocks, when metered). */
export function blocksOf(cell: Pick<CellResult, "samplesMs" | "blockEnds" | "cpuBlocks">): RoundBlock[] {
  return cell.blockEnds.map((end, i) => ({
    samplesMs: cell.samplesMs.slice(i === 0 ? 0 : cell.blockEnds[i - 1], end),
    cpuSeconds: cell.cpuBlocks[i]?.cpuSeconds ?? 0,
    requests: cell.cpuBlocks[i]?.requests ?? 0,
  }));
}

/** Rounds where both sides kept samples (a cell that reached its count early stops having blocks). */
function pairedRounds(base: readonly RoundBlock[], candidate: readonly RoundBlock[]): Array<[RoundBlock, RoundBlock]> {
  const n = Math.min(base.length, candidate.length);
  const pairs: Array<[RoundBlock, RoundBlock]> = [];
  for (let i = 0; i < n; i++) if (base[i]!.samplesMs.length > 0 && candidate[i]!.samplesMs.length > 0) pairs.push([base[i]!, candidate[i]!]);
  return pairs;
}

interface Pooled {
  p50: number;
  p99: number;
  cpuPerRequest: number | null;
}

function pool(blocks: readonly RoundBlock[]): Pooled {
  const sorted = Float64Array.from(blocks.flatMap((b) => b.samplesMs)).sort();
  const requests = blocks.reduce((s, b) => s + b.requests, 0);
  const cpu = blocks.reduce((s, b) => s + b.cpuSeconds, 0);
  return { p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99), cpuPerRequest: requests > 0 && cpu > 0 ? cpu / requests : null };
}

const figures = (base: Pooled, candidate: Pooled) => ({
  p50: candidate.p50 - base.p50,
  p99: candidate.p99 - base.p99,
  cpu: base.cpuPerRequest && candidate.cpuPerRequest !== null ? candidate.cpuPerRequest / base.cpuPerRequest : null,
});

export function pairedEstimate(base: readonly RoundBlock[], candidate: readonly RoundBlock[], options: { resamples?: number; seed?: number } = {}): PairedEstimate | null {
  const pairs = pairedRounds(base, candidate);
  if (pairs.length < 2) return null;
  const all = figures(pool(pairs.map((p) => p[0])), pool(pairs.map((p) => p[1])));
  const random = mulberry32(options.seed ?? 1);
  const resamples = options.resamples ?? 2000;
  const draws = { p50: new Float64Array(resamples), p99: new Float64Array(resamples), cpu: [] as number[] };
  for (let r = 0; r < resamples; r++) {
    const chosen = pairs.map(() => pairs[Math.floor(random() * pairs.length)]!);
    const f = figures(pool(chosen.map((p) => p[0])), pool(chosen.map((p) => p[1])));
    draws.p50[r] = f.p50;
    draws.p99[r] = f.p99;
    if (f.cpu !== null) draws.cpu.push(f.cpu);
  }
  const perRound = pairs.map(([b, c]) => figures(pool([b]), pool([c])));
  const cpuRounds = perRound.flatMap((f) => (f.cpu === null ? [] : [f.cpu]));
  const pooledN = Math.min(...[0, 1].map((side) => pairs.reduce((s, p) => s + p[side]!.samplesMs.length, 0)));
  const p99Ok = isEstimable(pooledN, 99);
  return {
    rounds: pairs.length,
    p50DeltaMs: round(all.p50, 3),
    p50DeltaCi95: percentileInterval(draws.p50, 3),
    p99DeltaMs: p99Ok ? round(all.p99, 3) : null,
    p99DeltaCi95: p99Ok ? percentileInterval(draws.p99, 3) : null,
    cpuRatio: all.cpu === null ? null : round(all.cpu, 3),
    cpuRatioCi95: all.cpu === null || draws.cpu.length < resamples / 2 ? null : percentileInterval(Float64Array.from(draws.cpu), 3),
    roundSpread: {
      p50DeltaMs: middleHalf(perRound.map((f) => f.p50), 3),
      cpuRatio: cpuRounds.length >= 2 ? middleHalf(cpuRounds, 3) : null,
    },
    cpuRatioRounds: cpuRounds.length > 0 ? [round(Math.min(...cpuRounds), 3), round(Math.max(...cpuRounds), 3)] : null,
    baseP50Ms: round(pool(pairs.map((p) => p[0])).p50, 3),
  };
}

function percentileInterval(draws: Float64Array, digits: number): [number, number] {
  const sorted = Float64Array.from(draws).sort();
  return [round(quantileSorted(sorted, 0.025), digits), round(quantileSorted(sorted, 0.975), digits)];
}

function middleHalf(values: readonly number[], digits: number): [number, number] {
  const sorted = Float64Array.from(values).sort();
  return [round(quantileSorted(sorted, 0.25), digits), round(quantileSorted(sorted, 0.75), digits)];
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
