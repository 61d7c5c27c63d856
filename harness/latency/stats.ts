/**
 * Pure statistics for latency samples (milliseconds): HDR-histogram percentiles for the
 * per-scenario table, and a seeded percentile bootstrap for "how much slower than the baseline".
 */
import hdr from "hdr-histogram-js";
import { mulberry32 } from "./prng.ts";

export interface LatencySummary {
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
  /** [percentile, ms] on QUANTILE_GRID: the distribution a plot draws as a CDF (empty without samples). */
  quantilesMs: Array<[number, number]>;
}

/**
 * Whether a sample of n supports the percentile p (0-100): at least 5 observations beyond it (n·(1−p/100) ≥ 5),
 * so p99 needs n ≥ 500 and p95 n ≥ 100. Below that the "p99" is the maximum or next to it, and is not printed.
 */
export function isEstimable(n: number, percentile: number): boolean {
  return percentile <= 0 || percentile >= 100 || n * (1 - percentile / 100) >= 5 - 1e-9;
}

/** The reason printed instead of a percentile the sample does not support. */
export const notEstimable = (n: number) => `not estimable (n = ${n})`;

/** Percentiles kept per cell: dense enough for a smooth CDF, with the tail (p99.9) where latency hides. */
export const QUANTILE_GRID = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 100] as const;

// Histogram unit: 1 µs; with 3 significant digits a 1 ms value is kept to ±1 µs.
const US_PER_MS = 1000;

/** p50/p95/p99/max through an HDR histogram (what load tools report, bounded memory). */
export function summarize(samplesMs: ArrayLike<number>): LatencySummary {
  const n = samplesMs.length;
  if (n === 0) return { n: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, meanMs: null, quantilesMs: [] };
  const h = hdr.build({ numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
  try {
    for (let i = 0; i < n; i++) h.recordValue(Math.max(1, Math.round((samplesMs[i] as number) * US_PER_MS)));
    const ms = (us: number) => round3(us / US_PER_MS);
    return {
      n,
      p50Ms: ms(h.getValueAtPercentile(50)),
      p95Ms: ms(h.getValueAtPercentile(95)),
      p99Ms: ms(h.getValueAtPercentile(99)),
      maxMs: ms(h.maxValue),
      meanMs: ms(h.mean),
      quantilesMs: QUANTILE_GRID.map((q) => [q, ms(q === 0 ? h.minNonZeroValue : q === 100 ? h.maxValue : h.getValueAtPercentile(q))]),
    };
  } finally {
    h.destroy();
  }
}

/** Nearest-rank quantile of an ascending array (the same definition the bootstrap uses). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error("quantile of no samples");
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * Moves the k-th smallest of a[left..right] to index k (Hoare quickselect) and returns it;
 * afterwards a[left..k-1] <= a[k] <= a[k+1..right], so a second select can start at k.
 */
export function selectInPlace(a: Float64Array, k: number, left = 0, right = a.length - 1): number {
  while (right > left) {
    const x = a[left]!, y = a[(left + right) >> 1]!, z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

export interface OverheadEstimate {
  n: number;
  baselineN: number;
  p50DeltaMs: number;
  p50Ratio: number;
  p50DeltaCi95: [number, number];
  p50RatioCi95: [number, number];
  p99DeltaMs: number;
  p99DeltaCi95: [number, number];
}

export interface BootstrapOptions {
  seed?: number;
  /** Bootstrap resamples; 2000 keeps the 2.5 % tails on 50 draws each. */
  resamples?: number;
}

/**
 * Overhead of `scenario` over `baseline` (independent samples, ms): point estimates from the
 * samples, 95 % percentile-bootstrap intervals from resampling both groups with replacement.
 */
export function bootstrapOverhead(
  scenario: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: BootstrapOptions = {},
): OverheadEstimate | null {
  const na = scenario.length;
  const nb = baseline.length;
  if (na === 0 || nb === 0) return null;
  const resamples = options.resamples ?? 2000;
  const random = mulberry32(options.seed ?? 1);
  const a = Float64Array.from(scenario).sort();
  const b = Float64Array.from(baseline).sort();

  const p50a = quantileSorted(a, 0.5), p50b = quantileSorted(b, 0.5);
  const p99a = quantileSorted(a, 0.99), p99b = quantileSorted(b, 0.99);

  const bufA = new Float64Array(na);
  const bufB = new Float64Array(nb);
  const d50 = new Float64Array(resamples);
  const r50 = new Float64Array(resamples);
  const d99 = new Float64Array(resamples);
  const k50a = rankIndex(na, 0.5), k99a = rankIndex(na, 0.99);
  const k50b = rankIndex(nb, 0.5), k99b = rankIndex(nb, 0.99);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < na; i++) bufA[i] = a[Math.floor(random() * na)]!;
    for (let i = 0; i < nb; i++) bufB[i] = b[Math.floor(random() * nb)]!;
    const ma = selectInPlace(bufA, k50a);
    const qa = selectInPlace(bufA, k99a, k50a);
    const mb = selectInPlace(bufB, k50b);
    const qb = selectInPlace(bufB, k99b, k50b);
    d50[r] = ma - mb;
    r50[r] = ma / mb;
    d99[r] = qa - qb;
  }
  return {
    n: na,
    baselineN: nb,
    p50DeltaMs: round3(p50a - p50b),
    p50Ratio: round4(p50a / p50b),
    p50DeltaCi95: interval(d50, round3),
    p50RatioCi95: interval(r50, round4),
    p99DeltaMs: round3(p99a - p99b),
    p99DeltaCi95: interval(d99, round3),
  };
}

function rankIndex(n: number, q: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n))) - 1;
}

function interval(draws: Float64Array, round: (x: number) => number): [number, number] {
  draws.sort();
  return [round(quantileSorted(draws, 0.025)), round(quantileSorted(draws, 0.975))];
}

// Rounding to 1 µs (and 4 decimals for ratios) keeps the JSON readable without losing signal.
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round4 = (x: number) => Math.round(x * 10000) / 10000;
