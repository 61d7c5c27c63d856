import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mulberry32 } from "./prng.ts";
import { bootstrapOverhead, QUANTILE_GRID, quantileSorted, selectInPlace, summarize } from "./stats.ts";

/** n draws of `shift + Exp(mean)`: a latency-like, right-skewed distribution with known quantiles. */
function shiftedExp(n: number, shift: number, mean: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => shift - mean * Math.log(1 - random()));
}
// Quantile q of shift + Exp(mean).
const expQuantile = (shift: number, mean: number, q: number) => shift - mean * Math.log(1 - q);

describe("summarize", () => {
  it("reports percentiles of a uniform 1..1000 ms sample to histogram precision", () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    const s = summarize(samples);
    assert.equal(s.n, 1000);
    assert.ok(Math.abs(s.p50Ms! - 500) <= 0.5, `p50 ${s.p50Ms}`);
    assert.ok(Math.abs(s.p95Ms! - 950) <= 1, `p95 ${s.p95Ms}`);
    assert.ok(Math.abs(s.p99Ms! - 990) <= 1, `p99 ${s.p99Ms}`);
    assert.ok(Math.abs(s.maxMs! - 1000) <= 1, `max ${s.maxMs}`);
  });

  it("keeps sub-millisecond resolution", () => {
    const s = summarize(shiftedExp(20_000, 0.2, 0.1, 7));
    assert.ok(Math.abs(s.p50Ms! - expQuantile(0.2, 0.1, 0.5)) < 0.005, `p50 ${s.p50Ms}`);
    assert.ok(Math.abs(s.p99Ms! - expQuantile(0.2, 0.1, 0.99)) < 0.03, `p99 ${s.p99Ms}`);
  });

  it("gives nulls, not zeros, for no samples", () => {
    assert.deepEqual(summarize([]), { n: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, meanMs: null, quantilesMs: [] });
  });

  it("keeps a monotone quantile grid from min to max for the distribution plot", () => {
    const s = summarize(Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.deepEqual(s.quantilesMs.map(([q]) => q), [...QUANTILE_GRID]);
    const ms = s.quantilesMs.map(([, v]) => v);
    for (let i = 1; i < ms.length; i++) assert.ok(ms[i]! >= ms[i - 1]!, `grid not monotone at ${s.quantilesMs[i]}`);
    assert.ok(Math.abs(ms[0]! - 1) <= 0.01 && Math.abs(ms.at(-1)! - 1000) <= 1, `${ms[0]} … ${ms.at(-1)}`);
    assert.ok(Math.abs(s.quantilesMs.find(([q]) => q === 90)![1] - 900) <= 1);
  });
});

describe("selectInPlace", () => {
  it("agrees with sorting, including ties, and leaves the array partitioned", () => {
    const random = mulberry32(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 60);
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * 10));
      const sorted = values.slice().sort();
      const k = Math.floor(random() * n);
      const a = values.slice();
      assert.equal(selectInPlace(a, k), sorted[k]);
      for (let i = 0; i < k; i++) assert.ok(a[i]! <= a[k]!);
      for (let i = k + 1; i < n; i++) assert.ok(a[i]! >= a[k]!);
      const k2 = k + Math.floor(random() * (n - k));
      assert.equal(selectInPlace(a, k2, k), sorted[k2]);
    }
  });

  it("nearest-rank quantile", () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2);
    assert.equal(quantileSorted([1, 2, 3, 4], 0.99), 4);
    assert.equal(quantileSorted([5], 0.01), 5);
  });
});

describe("bootstrapOverhead", () => {
  it("finds a +2 ms shift with a 95 % interval that contains it", () => {
    const baseline = shiftedExp(3000, 1, 0.3, 11);
    const slower = shiftedExp(3000, 3, 0.3, 12);
    const o = bootstrapOverhead(slower, baseline, { seed: 5 })!;
    assert.ok(Math.abs(o.p50DeltaMs - 2) < 0.05, `p50 delta ${o.p50DeltaMs}`);
    assert.ok(o.p50DeltaCi95[0] <= 2 && 2 <= o.p50DeltaCi95[1], `CI ${o.p50DeltaCi95}`);
    assert.ok(o.p50DeltaCi95[0] <= o.p50DeltaMs && o.p50DeltaMs <= o.p50DeltaCi95[1]);
    assert.ok(o.p50DeltaCi95[1] - o.p50DeltaCi95[0] < 0.1, "3000 samples give a narrow interval");
    const trueRatio = expQuantile(3, 0.3, 0.5) / expQuantile(1, 0.3, 0.5);
    assert.ok(Math.abs(o.p50Ratio - trueRatio) < 0.03, `ratio ${o.p50Ratio} vs ${trueRatio}`);
    assert.ok(o.p50RatioCi95[0] <= trueRatio && trueRatio <= o.p50RatioCi95[1]);
    assert.ok(Math.abs(o.p99DeltaMs - 2) < 0.5, `p99 delta ${o.p99DeltaMs}`);
    assert.ok(o.p99DeltaCi95[0] <= 2 && 2 <= o.p99DeltaCi95[1], `p99 CI ${o.p99DeltaCi95}`);
  });

  it("contains zero when both groups come from one distribution", () => {
    const o = bootstrapOverhead(shiftedExp(1000, 1, 0.5, 21), shiftedExp(1000, 1, 0.5, 22), { seed: 9 })!;
    assert.ok(o.p50DeltaCi95[0] <= 0 && 0 <= o.p50DeltaCi95[1], `CI ${o.p50DeltaCi95}`);
  });

  it("is deterministic for a seed", () => {
    const a = shiftedExp(500, 2, 0.4, 1);
    const b = shiftedExp(400, 1, 0.4, 2);
    assert.deepEqual(bootstrapOverhead(a, b, { seed: 42 }), bootstrapOverhead(a, b, { seed: 42 }));
  });

  it("covers the true delta in about 95 % of repeated experiments", () => {
    let covered = 0;
    const trials = 100;
    for (let t = 0; t < trials; t++) {
      const o = bootstrapOverhead(shiftedExp(300, 3, 0.5, 1000 + t), shiftedExp(300, 1, 0.5, 5000 + t), {
        seed: t,
        resamples: 500,
      })!;
      if (o.p50DeltaCi95[0] <= 2 && 2 <= o.p50DeltaCi95[1]) covered++;
    }
    assert.ok(covered >= 85 && covered <= 100, `covered ${covered}/${trials}`);
  });

  it("returns null without samples on either side", () => {
    assert.equal(bootstrapOverhead([], [1, 2]), null);
    assert.equal(bootstrapOverhead([1], []), null);
  });
});
