import assert from "node:assert/strict";
import { test } from "node:test";
import { blocksOf, pairedEstimate, type RoundBlock } from "./paired-rounds.ts";

/** A round's block: `n` samples around `centre` ms, and CPU of `cpuMsPerRequest` per request. */
const block = (centre: number, n: number, cpuMsPerRequest: number, jitter: (i: number) => number = (i) => ((i % 7) - 3) * 0.01): RoundBlock => ({
  samplesMs: Array.from({ length: n }, (_, i) => centre + jitter(i)),
  cpuSeconds: (n * cpuMsPerRequest) / 1000,
  requests: n,
});

test("drift between rounds hits both sides alike: no difference, and a tight interval", () => {
  // The machine slows down by 40 % over the run; each round's base and candidate share the slowdown.
  const drift = (r: number) => 2 + r * 0.03;
  const base = Array.from({ length: 30 }, (_, r) => block(drift(r), 50, drift(r) / 2));
  const candidate = Array.from({ length: 30 }, (_, r) => block(drift(r), 50, drift(r) / 2));
  const e = pairedEstimate(base, candidate)!;
  assert.equal(e.rounds, 30);
  assert.equal(e.p50DeltaMs, 0);
  assert.ok(e.p50DeltaCi95[0] <= 0 && e.p50DeltaCi95[1] >= 0);
  assert.equal(e.cpuRatio, 1);
  assert.deepEqual(e.cpuRatioCi95, [1, 1]);
});

test("a real difference in every round is found, its interval excludes zero", () => {
  const base = Array.from({ length: 20 }, (_, r) => block(2 + (r % 3) * 0.2, 50, 1));
  const candidate = Array.from({ length: 20 }, (_, r) => block(2.5 + (r % 3) * 0.2, 50, 1.3));
  const e = pairedEstimate(base, candidate)!;
  assert.ok(Math.abs(e.p50DeltaMs - 0.5) < 0.05, `p50 delta ${e.p50DeltaMs}`);
  assert.ok(e.p50DeltaCi95[0] > 0);
  assert.ok(Math.abs(e.cpuRatio! - 1.3) < 0.01);
  assert.ok(e.cpuRatioCi95![0] > 1.2);
});

test("rounds that disagree widen the interval instead of faking a difference", () => {
  // Each round's order put one side on a fast or a slow moment at random: per round ±0.5 ms, no bias overall.
  const sign = [1, -1, -1, 1, 1, -1, 1, -1, -1, 1, -1, 1];
  const base = sign.map(() => block(2, 50, 1));
  const candidate = sign.map((s) => block(2 + s * 0.5, 50, 1 + s * 0.2));
  const e = pairedEstimate(base, candidate)!;
  assert.ok(e.p50DeltaCi95[0] < 0 && e.p50DeltaCi95[1] > 0, `interval ${e.p50DeltaCi95} must contain 0`);
  assert.ok(e.p50DeltaCi95[1] - e.p50DeltaCi95[0] > 0.3, "the interval shows the rounds' disagreement");
  assert.deepEqual(e.roundSpread.p50DeltaMs, [-0.5, 0.5]);
});

test("a p99 needs enough samples per side; fewer than 2 paired rounds give no estimate", () => {
  const few = [block(2, 30, 1), block(2, 30, 1)];
  assert.equal(pairedEstimate(few, few)!.p99DeltaMs, null);
  assert.equal(pairedEstimate([block(2, 30, 1)], [block(2, 30, 1)]), null);
});

test("blocksOf splits a cell's samples at its block ends, with each block's CPU", () => {
  const blocks = blocksOf({ samplesMs: [1, 2, 3, 4, 5], blockEnds: [2, 2, 5], cpuBlocks: [{ cpuSeconds: 0.1, requests: 4 }, { cpuSeconds: 0, requests: 1 }, { cpuSeconds: 0.2, requests: 3 }] });
  assert.deepEqual(blocks.map((b) => b.samplesMs), [[1, 2], [], [3, 4, 5]]);
  assert.deepEqual(blocks.map((b) => b.requests), [4, 1, 3]);
});
