import assert from "node:assert/strict";
import { test } from "node:test";
import { analyseSoak, MB, soakGates, warmupWindowsOf, type WindowWithSamples } from "./analysis.ts";

/** Windows of 500 requests each; memory = base + slope per request (+ alternating noise); latencies around `ms`. */
function windows(count: number, bytesPerRequest: number, options: { noise?: number; ms?: (i: number) => number; failures?: Partial<WindowWithSamples> } = {}): WindowWithSamples[] {
  return Array.from({ length: count }, (_, i) => {
    const requests = (i + 1) * 500;
    const ms = options.ms?.(i) ?? 10;
    return {
      index: i,
      endSec: (i + 1) * 5,
      requests,
      windowRequests: 500,
      memoryBytes: 600 * MB + bytesPerRequest * requests + (i % 2 ? 1 : -1) * (options.noise ?? 0),
      rssBytes: 590 * MB + bytesPerRequest * requests,
      vm: { uptimeSec: (i + 1) * 5, vmsCreated: 5, vmsActive: 4, vmReloads: 0, heapAllocatedBytes: 200 * MB, heapPhysicalBytes: 300 * MB },
      outsideHeapBytes: 290 * MB + bytesPerRequest * requests,
      cpuMsPer1k: 8000,
      p50Ms: ms,
      p99Ms: ms * 2,
      errors: 0,
      unexpected: 0,
      status5xx: 0,
      dropped: 0,
      latenciesMs: Array.from({ length: 500 }, (_, k) => ms * (1 + k / 500)),
      ...options.failures,
    };
  });
}

const gates = { maxGrowthMbPer100k: 20, maxP99Drift: 2 };

test("warm-up: a fifth of the windows, at least one", () => {
  assert.equal(warmupWindowsOf(20, 0.2), 4);
  assert.equal(warmupWindowsOf(3, 0.2), 1);
  assert.equal(warmupWindowsOf(0, 0.2), 0);
  assert.throws(() => warmupWindowsOf(10, 1), RangeError);
});

test("a flat memory line passes; growth is per 100k requests in MB with an interval around it", () => {
  const f = analyseSoak(windows(20, 0, { noise: 0.2 * MB }), 0.2);
  assert.equal(f.warmupWindows, 4);
  assert.equal(f.growth.n, 16);
  assert.ok(Math.abs(f.growth.mbPer100k!) < 1, String(f.growth.mbPer100k));
  assert.ok(f.growth.ci95![0] <= 0 && f.growth.ci95![1] >= 0);
  assert.equal(f.rssGrowth.mbPer100k, 0);
  assert.equal(f.p99Drift.ratio, 1);
  assert.ok(soakGates(f, gates).every((g) => g.ok));
});

test("a leak (0.5 MB per request) fails the growth gate, named", () => {
  const f = analyseSoak(windows(12, 0.5 * MB), 0.2);
  assert.equal(f.growth.mbPer100k, 50_000);
  const failed = soakGates(f, gates).filter((g) => !g.ok).map((g) => g.gate);
  assert.deepEqual(failed, ["max-growth-mb-per-100k"]);
});

test("growth whose interval reaches below the limit passes (noise is not a leak)", () => {
  // 25 MB per 100k on average but noise of ±3 MB: the lower bound sits below 20
  const f = analyseSoak(windows(12, 250, { noise: 3 * MB }), 0.2);
  assert.ok(f.growth.mbPer100k! > 20);
  assert.ok(f.growth.ci95![0] < 20);
  assert.ok(soakGates(f, gates).find((g) => g.gate === "max-growth-mb-per-100k")!.ok);
});

test("p99 drift: last quarter over first quarter; above the limit fails", () => {
  const f = analyseSoak(windows(20, 0, { ms: (i) => (i < 10 ? 10 : 30) }), 0.2);
  assert.ok(Math.abs(f.p99Drift.ratio! - 3) < 0.01, String(f.p99Drift.ratio));
  assert.deepEqual(soakGates(f, gates).filter((g) => !g.ok).map((g) => g.gate), ["max-p99-drift"]);
});

test("errors, 5xx and drops are an infrastructure failure; too few windows is not a pass", () => {
  const crashed = analyseSoak(windows(12, 0, { failures: { status5xx: 3, unexpected: 3 } }), 0.2);
  const errors = soakGates(crashed, gates).find((g) => g.gate === "errors")!;
  assert.equal(errors.ok, false);
  assert.match(errors.line, /36 unexpected statuses \(36 of them 5xx\)/);
  const short = analyseSoak(windows(3, 0), 0.2);
  assert.deepEqual(soakGates(short, gates).filter((g) => !g.ok).map((g) => g.gate), ["max-growth-mb-per-100k", "max-p99-drift"]);
  assert.deepEqual(soakGates(analyseSoak([], 0.2), gates).map((g) => g.ok), [true, true, false, false]);
});

test("the plug-in's VM memory (outside Envoy's heap) has its own growth; a VM restart fails the run", () => {
  const leak = analyseSoak(windows(12, 0.5 * MB), 0.2);
  assert.equal(leak.outsideHeapGrowth.mbPer100k, 50_000);
  assert.equal(leak.restarts.total, 0);
  const reloaded = windows(12, 0).map((w, i) => ({ ...w, vm: { ...w.vm!, vmsCreated: i < 6 ? 5 : 6, vmReloads: i < 6 ? 0 : 1 } }));
  const f = analyseSoak(reloaded, 0.2);
  assert.deepEqual(f.restarts, { envoy: 0, vmsCreated: 1, vmReloads: 1, total: 2 });
  const gate = soakGates(f, gates).find((g) => g.gate === "restarts")!;
  assert.equal(gate.ok, false);
  assert.match(gate.line, /1 wasm VMs created after the first window, 1 plug-in VM reloads/);
});
