/** The soak's statistics: least-squares slope with its standard error and a Student-t interval. Pure. */
import { quantileSorted } from "../latency/index.ts";

export interface SlopeFit {
  /** Points used. */
  n: number;
  slope: number;
  intercept: number;
  /** Standard error of the slope (null with fewer than 3 points or no spread in x). */
  slopeSe: number | null;
  /** The slope's 95 % interval: slope ± t(0.975, n − 2) × se; null when slopeSe is null. */
  ci95: [number, number] | null;
}

/** Ordinary least squares y = a + b·x, with b's standard error from the residuals (n − 2 degrees of freedom). */
export function fitSlope(xs: readonly number[], ys: readonly number[]): SlopeFit {
  if (xs.length !== ys.length) throw new RangeError("fitSlope: xs and ys differ in length");
  const n = xs.length;
  if (n < 2) return { n, slope: Number.NaN, intercept: Number.NaN, slopeSe: null, ci95: null };
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return { n, slope: Number.NaN, intercept: Number.NaN, slopeSe: null, ci95: null };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { n, slope, intercept, slopeSe: null, ci95: null };
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - intercept - slope * xs[i]!) ** 2;
  const slopeSe = Math.sqrt(sse / (n - 2) / sxx);
  const t = tQuantile975(n - 2);
  return { n, slope, intercept, slopeSe, ci95: [slope - t * slopeSe, slope + t * slopeSe] };
}

const Z975 = 1.959963984540054;

/** Student's t 0.975 quantiles for 1..30 degrees of freedom (the standard table, 6 significant digits). */
const T975 = [
  12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.306, 2.26216, 2.22814,
  2.20099, 2.17881, 2.16037, 2.14479, 2.13145, 2.11991, 2.10982, 2.10092, 2.09302, 2.08596,
  2.07961, 2.07387, 2.06866, 2.0639, 2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227,
];

/**
 * Student's t 0.975 quantile for `df` degrees of freedom: the table up to 30, beyond it the Cornish-Fisher
 * expansion around the normal quantile (Abramowitz & Stegun 26.7.5), within 1e-4 of the exact value there.
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1) || !Number.isInteger(df)) throw new RangeError(`tQuantile975 needs an integer df ≥ 1 (got ${df})`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = Z975;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** The q-quantile (0..1) of sorted values, nearest rank as the latency engine defines it; null for an empty sample. */
export function quantileOfSorted(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : quantileSorted(sorted, q);
}
