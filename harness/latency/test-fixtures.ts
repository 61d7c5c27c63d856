/** Synthetic engine results for the report, threshold and plot tests (no network). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellResult, LoadModel } from "./engine.ts";
import { mulberry32 } from "./prng.ts";

/** A finished cell whose samples are `baseMs + Exp(jitterMs)`, seeded. */
export function fakeResult(
  scenario: string,
  shape: string,
  baseMs: number,
  options: { n?: number; seed?: number; target?: string; mismatches?: number; errors?: number; model?: LoadModel } = {},
): CellResult {
  const n = options.n ?? 400;
  const random = mulberry32(options.seed ?? scenario.length * 31 + shape.length);
  const samplesMs = Array.from({ length: n }, () => baseMs - 0.2 * Math.log(1 - random()));
  const mismatches = options.mismatches ?? 0;
  const errors = options.errors ?? 0;
  return {
    spec: {
      id: `${scenario}/${shape}`,
      scenario,
      shape,
      tags: { scenario, shape, target: options.target ?? scenario },
      origin: "http://127.0.0.1:9",
      request: { method: "GET", path: "/", headers: {} },
      expectStatus: 200,
      samples: n,
      timeBudgetMs: 1000,
      model: options.model ?? { kind: "open", ratePerSec: 100 },
    },
    samplesMs,
    attempts: n + mismatches + errors,
    warmupDiscarded: 0,
    mismatches,
    statusCounts: { "200": n, ...(mismatches ? { "500": mismatches } : {}) },
    errors,
    errorCodes: errors ? { ECONNRESET: errors } : {},
    dropped: 0,
    spentMs: 900,
    blocks: 2,
    stoppedBy: "count",
    blockEnds: [Math.floor(n / 2), n],
    cpuBlocks: [],
  };
}

/** Scratch folders for a test file: `dir(prefix)` makes one, `cleanup` (pass it to node:test's `after`) removes them all. */
export function scratchDirs(): { dir(prefix: string): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    dir: async (prefix) => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup: async () => void (await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })))),
  };
}
