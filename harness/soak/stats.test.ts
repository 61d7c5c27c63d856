import assert from "node:assert/strict";
import { test } from "node:test";
import { fitSlope, quantileOfSorted, tQuantile975 } from "./stats.ts";

test("t 0.975 quantiles match the tables", () => {
  const table: Array<[number, number]> = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [8, 2.306], [10, 2.228], [20, 2.086], [30, 2.042], [31, 2.0395], [40, 2.0211], [60, 2.0003], [120, 1.9799]];
  for (const [df, t] of table) assert.ok(Math.abs(tQuantile975(df) - t) < 0.0005, `df ${df}: ${tQuantile975(df)} vs ${t}`);
  assert.ok(Math.abs(tQuantile975(1e6) - 1.96) < 0.001);
  assert.throws(() => tQuantile975(0), RangeError);
  assert.throws(() => tQuantile975(2.5), RangeError);
});

test("fitSlope: exact line → slope, zero standard error", () => {
  const fit = fitSlope([0, 1, 2, 3], [1, 3, 5, 7]);
  assert.equal(fit.slope, 2);
  assert.equal(fit.intercept, 1);
  assert.equal(fit.slopeSe, 0);
  assert.deepEqual(fit.ci95, [2, 2]);
});

test("fitSlope: standard error and interval as a statistics package computes them", () => {
  // x = 1..5, y = 2, 4, 5, 4, 5: b = 0.6, a = 2.2, SSE = 2.4, se(b) = sqrt(2.4/3/10) = 0.28284, t(0.975, 3) = 3.1824
  const fit = fitSlope([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
  assert.ok(Math.abs(fit.slope - 0.6) < 1e-12);
  assert.ok(Math.abs(fit.intercept - 2.2) < 1e-12);
  assert.ok(Math.abs(fit.slopeSe! - 0.282843) < 1e-6);
  assert.ok(Math.abs(fit.ci95![0] - (0.6 - 3.18245 * 0.282843)) < 1e-3);
  assert.ok(Math.abs(fit.ci95![1] - (0.6 + 3.18245 * 0.282843)) < 1e-3);
});

test("fitSlope: too few points or no spread → no interval", () => {
  assert.equal(fitSlope([1, 2], [1, 2]).ci95, null);
  assert.equal(fitSlope([1, 1, 1], [1, 2, 3]).ci95, null);
  assert.throws(() => fitSlope([1], [1, 2]), RangeError);
});

test("quantileOfSorted: nearest rank", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantileOfSorted(xs, 0.5), 50);
  assert.equal(quantileOfSorted(xs, 0.99), 99);
  assert.equal(quantileOfSorted([], 0.5), null);
});
