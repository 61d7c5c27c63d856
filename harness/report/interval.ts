/** A proportion k/n with its 95 % Wilson score interval (sound for small n and for rates near 0 or 1). */
export interface Interval {
  k: number;
  n: number;
  rate: number;
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;

export function wilson(k: number, n: number, z = Z95): Interval {
  if (n <= 0) throw new Error(`wilson: n must be positive (got ${n})`);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return { k, n, rate: round(p), low: round(Math.max(0, centre - half)), high: round(Math.min(1, centre + half)) };
}

/** The 95 % interval of k/n in %, rounded to `decimals`, or null for an empty denominator (the report tables). */
export function wilsonPct(k: number, n: number, decimals: number): [number, number] | null {
  if (n === 0) return null;
  const w = wilson(k, n);
  const scale = 10 ** decimals;
  const round = (x: number) => Math.round(x * (100 * scale)) / scale;
  return [round(w.low), round(w.high)];
}
