import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UserError } from "../errors.ts";
import { buildLatencySection, mergeLatencyIntoSummary } from "./report.ts";
import { fakeResult } from "./test-fixtures.ts";

const results = [
  fakeResult("envoy", "get_small", 1.0, { seed: 1 }),
  fakeResult("waf", "get_small", 1.5, { seed: 2 }),
  fakeResult("envoy", "post_json_1k", 1.2, { seed: 3 }),
  fakeResult("waf", "post_json_1k", 2.2, { seed: 4, mismatches: 3 }),
  fakeResult("waf_blocked", "blocked", 0.8, { seed: 5, target: "waf" }),
];

function section() {
  return buildLatencySection({
    wasmSource: "build",
    results,
    comparisons: [{ scenario: "waf", baseline: "envoy" }],
    floor: fakeResult("engine-floor", "noop", 0.1, { model: { kind: "closed", vus: 1 } }),
    thresholds: [],
    bootstrap: { seed: 1, resamples: 500 },
    model: "open",
    definition: "scenarios.json",
    now: new Date("2026-01-01T00:00:00Z"),
  });
}

describe("latency section", () => {
  it("has exactly the contract keys (plus extensions)", () => {
    const s = section();
    for (const key of ["wasmSource", "scenarios", "overhead"]) assert.ok(key in s, key);
    assert.equal(s.scenarios.length, 5);
    for (const entry of s.scenarios)
      for (const key of ["name", "shape", "n", "p50Ms", "p95Ms", "p99Ms", "maxMs"]) assert.ok(key in entry, key);
    assert.equal(s.overhead.length, 2, "one per shape both scenarios ran; the blocked shape has no baseline");
    for (const entry of s.overhead)
      for (const key of ["scenario", "baseline", "shape", "p50DeltaMs", "p50Ratio", "p50DeltaCi95", "p99DeltaMs"]) assert.ok(key in entry, key);
    const json = JSON.parse(JSON.stringify(s));
    assert.equal(json.overhead[0].p50DeltaCi95.length, 2);
    assert.ok(s.engineFloor && s.engineFloor.p50Ms! < 0.5);
  });

  it("finds the synthetic overheads", () => {
    const s = section();
    const small = s.overhead.find((o) => o.shape === "get_small")!;
    assert.ok(Math.abs(small.p50DeltaMs! - 0.5) < 0.06, String(small.p50DeltaMs));
    const [lo, hi] = small.p50DeltaCi95!;
    assert.ok(lo <= small.p50DeltaMs! && small.p50DeltaMs! <= hi);
    const json = s.overhead.find((o) => o.shape === "post_json_1k")!;
    assert.ok(Math.abs(json.p50DeltaMs! - 1.0) < 0.06, String(json.p50DeltaMs));
    assert.equal(s.scenarios.find((e) => e.name === "waf" && e.shape === "post_json_1k")!.mismatches, 3);
  });
});

describe("mergeLatencyIntoSummary", () => {
  it("keeps the other keys of summary.json and replaces only latency", async () => {
    const dir = await mkdtemp(join(tmpdir(), "latency-report-"));
    const path = join(dir, "summary.json");
    await writeFile(path, JSON.stringify({ schemaVersion: 1, suites: { conformance: { passed: 3 } }, latency: { old: true } }));
    await mergeLatencyIntoSummary(path, section());
    const merged = JSON.parse(await readFile(path, "utf8"));
    assert.deepEqual(merged.suites, { conformance: { passed: 3 } });
    assert.equal(merged.schemaVersion, 1);
    assert.equal(merged.latency.old, undefined);
    assert.equal(merged.latency.wasmSource, "build");
  });

  it("creates summary.json when there is none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "latency-report-"));
    const path = join(dir, "nested", "summary.json");
    await mergeLatencyIntoSummary(path, section());
    assert.deepEqual(Object.keys(JSON.parse(await readFile(path, "utf8"))), ["latency"]);
  });

  it("refuses to replace a summary.json that is not JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "latency-report-"));
    const path = join(dir, "summary.json");
    await writeFile(path, "{ half-written");
    await assert.rejects(mergeLatencyIntoSummary(path, section()), UserError);
    assert.equal(await readFile(path, "utf8"), "{ half-written");
  });
});

