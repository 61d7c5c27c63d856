// `npm run soak` end to end against the real local stack, bounded: the project's manifest passes with a growth figure
// and its interval; envoy-local/examples/leak-gc-off.yaml (the plug-in VM's Go GC off) fails the growth gate, named.
// Short runs: 6,000 requests cannot resolve the default 20 MB per 100k (that is 1.2 MB over the run, one step of the Go
// heap), so the healthy run's warm-up and limit are widened here; the leak grows ~30,000 MB per 100k and fails any of
// them. `npm run soak -- --requests 30000` is the measurement (README, Sustained load). No wall-clock assertion.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { example, runCli, tempReports } from "./support/cli.ts";

interface Soak {
  requests: number;
  growthMbPer100k: number | null;
  growthCi95: [number, number] | null;
  p99Drift: { ratio: number | null };
  gates: Array<{ gate: string; ok: boolean }>;
  passed: boolean;
  windowRows: unknown[];
  vmEnv: Record<string, string> | null;
}

const soakOf = (dir: string): Soak => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).soak;

test("npm run soak: the project's manifest passes with growth and its interval; GOGC=off fails the growth gate", { timeout: 330_000 }, async (t) => {
  await t.test("the project's manifest", async (t) => {
    const dir = await tempReports();
    const started = Date.now();
    const run = await runCli("soak", {}, ["--requests", "6000", "--rate", "60", "--warmup", "0.4", "--max-growth-mb-per-100k", "200", "--out", dir], 200_000);
    t.diagnostic(`soak, 6000 requests: ${((Date.now() - started) / 1000).toFixed(0)} s; ${run.stdout.split("\n")[0]}`);
    assert.equal(run.code, 0, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
    const soak = soakOf(dir);
    assert.equal(soak.requests, 6000);
    assert.equal(typeof soak.growthMbPer100k, "number");
    assert.ok(soak.growthCi95 && soak.growthCi95[0] <= soak.growthMbPer100k! && soak.growthMbPer100k! <= soak.growthCi95[1], JSON.stringify(soak.growthCi95));
    assert.equal(typeof soak.p99Drift.ratio, "number");
    assert.ok(soak.passed);
    assert.equal(soak.vmEnv, null);
    assert.ok(soak.windowRows.length >= 15);
    assert.match(readFileSync(join(dir, "soak.svg"), "utf8"), /^<svg/);
  });

  await t.test("leak-gc-off.yaml", async (t) => {
    const dir = await tempReports();
    const started = Date.now();
    const run = await runCli("soak", { WAF_PLUGIN: example("leak-gc-off.yaml") }, ["--requests", "3000", "--rate", "60", "--out", dir], 150_000);
    t.diagnostic(`soak GOGC=off, 3000 requests: ${((Date.now() - started) / 1000).toFixed(0)} s; ${run.stdout.split("\n")[0]}`);
    assert.equal(run.code, 1, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
    assert.match(run.stdout, /FAIL max-growth-mb-per-100k/);
    assert.match(run.stdout, /soak: FAILED \(.*max-growth-mb-per-100k/);
    const soak = soakOf(dir);
    assert.deepEqual(soak.vmEnv, { GOGC: "off" });
    assert.equal(soak.passed, false);
    assert.ok(soak.growthCi95 && soak.growthCi95[0] > 1000, JSON.stringify(soak.growthCi95));
    assert.equal(soak.gates.find((g) => g.gate === "max-growth-mb-per-100k")?.ok, false);
  });
});
