import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { UserError } from "../errors.ts";
import {
  buildLatencySection,
  formatOverheadLine,
  mergeLatencyIntoSummary,
  placeProbe,
  roundSamples,
  type LatencySection,
  type StackFacts,
} from "./report.ts";
import { fakeResult, scratchDirs } from "./test-fixtures.ts";

// Scratch folders of this file, removed when it ends.
const scratch = scratchDirs();
after(scratch.cleanup);
const scratchDir = scratch.dir;

const results = [
  fakeResult("envoy", "get_small", 1.0, { seed: 1 }),
  fakeResult("waf", "get_small", 1.5, { seed: 2 }),
  fakeResult("envoy", "post_json_1k", 1.2, { seed: 3 }),
  fakeResult("waf", "post_json_1k", 2.2, { seed: 4, mismatches: 3 }),
  fakeResult("waf_blocked", "blocked", 0.8, { seed: 5, target: "waf" }),
];

function section(kind: LatencySection["run"]["kind"] = "benchmark", stack: StackFacts | null = null) {
  return buildLatencySection({
    stack,
    kind,
    wasmSource: "build",
    results,
    comparisons: [{ scenario: "waf", baseline: "envoy" }],
    floor: { cell: fakeResult("engine-floor", "noop", 0.1, { model: { kind: "closed", vus: 1 } }), bareSamplesMs: fakeResult("bare", "noop", 0.09).samplesMs },
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
    const dir = await scratchDir("latency-report-");
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
    const dir = await scratchDir("latency-report-");
    const path = join(dir, "nested", "summary.json");
    await mergeLatencyIntoSummary(path, section());
    assert.deepEqual(Object.keys(JSON.parse(await readFile(path, "utf8"))), ["latency"]);
  });

  it("refuses to replace a summary.json that is not JSON", async () => {
    const dir = await scratchDir("latency-report-");
    const path = join(dir, "summary.json");
    await writeFile(path, "{ half-written");
    await assert.rejects(mergeLatencyIntoSummary(path, section()), UserError);
    assert.equal(await readFile(path, "utf8"), "{ half-written");
  });
});


const STACK: StackFacts = { envoyVersion: "1.40.0", wasmSha256: "w1", pluginConfigSha256: "c1", paranoia: null };
/** The full benchmark loads the manifest plus the seed/paranoia sets; waf_crs measures the manifest's own config. */
const BENCH_STACK: StackFacts = { ...STACK, pluginConfigSha256: "c1+bench", manifestPluginConfigSha256: "c1" };

describe("placeProbe: where the probe of npm run waf goes", () => {
  const probe = section("probe", STACK);

  it("writes latency when there is none, and drops a stale latencyProbe", () => {
    const p = placeProbe({ suites: { a: 1 }, latencyProbe: { error: "old" } }, probe);
    assert.equal(p.key, "latency");
    assert.deepEqual(p.summary, { suites: { a: 1 }, latency: probe });
  });

  it("keeps a full benchmark of the same wasm and pluginConfig, and puts the probe under latencyProbe", () => {
    const bench = section("benchmark", BENCH_STACK);
    const p = placeProbe({ suites: { a: 1 }, latency: bench }, probe);
    assert.equal(p.key, "latencyProbe");
    assert.equal(p.summary.latency, bench);
    assert.equal(p.summary.latencyProbe, probe);
    assert.deepEqual(p.summary.suites, { a: 1 });
  });

  it("replaces a benchmark of another wasm or another config, a probe, or one whose stack is unknown", () => {
    const cases: Array<[string, unknown]> = [
      ["other wasm", section("benchmark", { ...BENCH_STACK, wasmSha256: "w2" })],
      ["other config", section("benchmark", { ...BENCH_STACK, manifestPluginConfigSha256: "c2" })],
      ["older benchmark without the manifest hash", section("benchmark", { ...STACK, pluginConfigSha256: "c1+bench" })],
      ["a probe", section("probe", STACK)],
      ["explicit URLs", section("benchmark", null)],
      ["not an object", "garbage"],
    ];
    for (const [what, latency] of cases) {
      const p = placeProbe({ latency }, probe);
      assert.equal(p.key, "latency", what);
      assert.equal(p.summary.latency, probe, what);
    }
  });

  it("recognises probes written before run.kind existed by their definition", () => {
    const old = section("benchmark", BENCH_STACK) as unknown as { run: Record<string, unknown> };
    delete old.run.kind;
    assert.equal(placeProbe({ latency: old }, probe).key, "latencyProbe");
    old.run.definition = "probe (npm run waf)";
    assert.equal(placeProbe({ latency: old }, probe).key, "latency");
  });
});

describe("formatOverheadLine", () => {
  it("prints n and the baseline's n beside the figures", () => {
    const s = section();
    const line = formatOverheadLine(s.overhead[0]!);
    assert.match(line, /^overhead waf vs envoy get_small \(n=400, baseline n=400\): p50 \+0\.\d{3} ms \[\d\.\d{3}, \d\.\d{3}\] \(×\d\.\d{2}\), p99 not estimable \(n = 400\)$/, "p99 of 400 samples is not claimed");
    const none = formatOverheadLine({ ...s.overhead[0]!, p50DeltaMs: null, p50DeltaCi95: null, p50Ratio: null, p99DeltaMs: -1.5, p99Note: undefined, n: 0 });
    assert.match(none, /\(n=0, baseline n=400\): p50 - ms \(no interval\) \(×-\), p99 -1\.500 ms$/);
  });
});

describe("percentiles the sample does not support", () => {
  it("are null with the reason in the section, and cut from the plotted quantile grid", () => {
    const small = buildLatencySection({
      wasmSource: "build",
      results: [fakeResult("envoy", "post_json_10k", 1.0, { n: 24 }), fakeResult("waf", "post_json_10k", 500, { n: 24, seed: 3 })],
      comparisons: [{ scenario: "waf", baseline: "envoy" }],
      floor: null,
      thresholds: [],
      bootstrap: { seed: 1, resamples: 200 },
      model: "closed",
      definition: "d",
      kind: "benchmark",
    });
    const [entry] = small.scenarios;
    assert.deepEqual([entry!.p95Ms, entry!.p99Ms, entry!.notEstimable], [null, null, ["p95: not estimable (n = 24)", "p99: not estimable (n = 24)"]]);
    assert.ok(entry!.p50Ms !== null);
    assert.ok(entry!.quantilesMs!.every(([q]) => q <= 80 || q === 100), JSON.stringify(entry!.quantilesMs));
    assert.deepEqual([small.overhead[0]!.p99DeltaMs, small.overhead[0]!.p99Note], [null, "not estimable (n = 24)"]);
  });
});

describe("rounds of one run", () => {
  it("split a cell's samples by its interleaved blocks, and the overhead per third says how steady the run was", () => {
    assert.deepEqual(roundSamples({ samplesMs: [1, 2, 3, 4, 5, 6, 7], blockEnds: [2, 4, 5, 7] }), [[1, 2], [3, 4], [5, 6, 7]]);
    assert.deepEqual(roundSamples({ samplesMs: [1, 2], blockEnds: [1, 2] }), [], "fewer blocks than rounds: no claim");
    const cell = (scenario: string, ms: number[]) => ({ ...fakeResult(scenario, "get_small", 1, { n: 6 }), samplesMs: ms, blockEnds: [2, 4, 6] });
    const s = buildLatencySection({
      wasmSource: null, results: [cell("envoy", [1, 1, 1, 1, 1, 1]), cell("waf", [1.5, 1.5, 2, 2, 1.2, 1.2])], comparisons: [{ scenario: "waf", baseline: "envoy" }],
      floor: null, thresholds: [], bootstrap: { seed: 1, resamples: 100 }, model: "closed", definition: "d", kind: "benchmark",
    });
    assert.deepEqual(s.overhead[0]!.p50DeltaRounds, [0.5, 1, 0.2]);
    assert.equal(s.overhead[0]!.roundsSpreadPct, 160);
    assert.match(formatOverheadLine(s.overhead[0]!), /p50 by thirds of the run \+0\.500 \/ \+1\.000 \/ \+0\.200 ms \(160 % apart\)$/);
  });
});
