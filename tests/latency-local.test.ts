// `npm run latency` end to end against the real local stack (Docker: Envoy + Coraza wasm + httpbin), which the CLI
// starts and stops itself. Kept short with the CLI's own knobs (few samples, short budgets, three shapes whose CRS
// cost is milliseconds, not the 10 KiB body): this checks the wiring and the report, not the figures. No
// wall-clock assertion: the duration is printed as a diagnostic.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempReports } from "./support/cli.ts";

interface Overhead {
  scenario: string;
  baseline: string;
  shape: string;
  p50DeltaMs: number | null;
  p50DeltaCi95: [number, number] | null;
  n: number;
  baselineN: number;
}

test("npm run latency on the local stack: ≥ 4 scenarios, an interval on every overhead, both plots, provenance, Allure", { timeout: 300_000 }, async (t) => {
  const dir = await tempReports();
  const started = Date.now();
  const run = await runCli("latency", {}, [
    "--samples", "30",
    "--duration", "2s",
    "--resamples", "500",
    "--shapes", "get_small,post_form10,blocked",
    "--out", dir,
  ]);
  t.diagnostic(`npm run latency (local stack, small): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(run.code, 0, `${run.stdout.slice(-1500)}\n${run.stderr.slice(-1500)}`);

  const latency = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).latency;
  const names = new Set(latency.scenarios.map((s: { name: string }) => s.name));
  assert.ok(names.size >= 4, `scenarios: ${[...names].join(", ")}`);
  for (const name of ["direct", "envoy", "waf_seed", "waf_crs", "waf_blocked"]) assert.ok(names.has(name), name);
  for (const s of latency.scenarios) {
    for (const key of ["name", "shape", "n", "p50Ms", "p95Ms", "p99Ms", "maxMs"]) assert.ok(key in s, `${s.name}/${s.shape}: ${key}`);
    assert.ok(s.n > 0, `${s.name}/${s.shape}: no samples`);
  }

  assert.ok(latency.overhead.length >= 4, JSON.stringify(latency.overhead));
  for (const o of latency.overhead as Overhead[]) {
    const what = `${o.scenario} vs ${o.baseline} ${o.shape}`;
    assert.ok(Array.isArray(o.p50DeltaCi95) && o.p50DeltaCi95.length === 2, `${what}: no interval`);
    const [lo, hi] = o.p50DeltaCi95;
    assert.ok(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi, `${what}: [${lo}, ${hi}]`);
    assert.ok(o.n > 0 && o.baselineN > 0, what);
    // n beside every printed overhead figure.
    assert.ok(run.stdout.includes(`overhead ${what} (n=${o.n}, baseline n=${o.baselineN}): p50 `), `${what} not printed with n`);
  }
  // Envoy's CPU per 1,000 requests per cell (its cgroup, read around each block) and its memory.
  const cpu = (name: string, shape: string) => latency.scenarios.find((s: { name: string; shape: string }) => s.name === name && s.shape === shape).envoyCpuMsPer1k;
  assert.equal(cpu("direct", "get_small"), null, "httpbin direct is not Envoy's work");
  assert.ok(cpu("waf_crs", "get_small") > cpu("envoy", "get_small"), "the WAF costs Envoy CPU beyond Envoy's own");
  assert.ok(latency.envoy.rssBytes > 100 * 2 ** 20 && /cgroup|Docker/.test(latency.envoy.cpuSource));
  assert.match(run.stdout, /CPU ms\/1k/);
  // The WAF's own set costs something against the same Envoy without it.
  assert.ok(latency.overhead.some((o: Overhead) => o.scenario === "waf_crs" && o.p50DeltaCi95![0] > 0), "waf_crs overhead not above 0");

  assert.equal(typeof latency.wasmSource, "string");
  assert.ok(latency.wasmSource.length > 0);
  assert.match(latency.stack.wasmSha256, /^[0-9a-f]{64}$/);
  assert.match(latency.stack.manifestPluginConfigSha256, /^[0-9a-f]{64}$/);
  assert.equal(latency.run.kind, "benchmark");
  // Envoy on CPUs of its own, httpbin and the load generator on the others (2 CPUs here: 1 and 0).
  if (availableParallelism() >= 2) {
    assert.equal(latency.cpuPinning.pinned, true, JSON.stringify(latency.cpuPinning));
    assert.equal(latency.cpuPinning.loadGenerator, `pinned to CPU ${latency.cpuPinning.othersCpus}`);
    assert.match(run.stdout, /^CPU: Envoy on CPU \S+; httpbin, the other containers and the load generator on CPU \S+$/m);
  }
  assert.ok(latency.engineFloor && latency.engineFloor.n > 0);

  for (const file of ["latency-distribution.svg", "latency-overhead.svg"]) assert.match(readFileSync(join(dir, file), "utf8"), /^<svg/, file);

  // The section and both plots reach Allure.
  const results = join(dir, "allure-results");
  const resultFiles = readdirSync(results).filter((f) => f.endsWith("-result.json"));
  const mine = resultFiles.map((f) => JSON.parse(readFileSync(join(results, f), "utf8"))).find((r) => r.historyId === "wafcheck-latency-benchmark");
  assert.ok(mine, `no latency result in ${resultFiles.join(", ")}`);
  assert.equal(mine.status, "passed");
  assert.deepEqual(mine.attachments.map((a: { name: string }) => a.name), ["latency.json", "latency-distribution.svg", "latency-overhead.svg"]);
  for (const a of mine.attachments) assert.ok(readFileSync(join(results, a.source), "utf8").length > 100, a.name);
});
