import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, describe, it } from "node:test";
import { writeLatencyPlots } from "./plots.ts";
import { buildLatencySection } from "./report.ts";
import { fakeResult, scratchDirs } from "./test-fixtures.ts";

// Scratch folders of this file, removed when it ends.
const scratch = scratchDirs();
after(scratch.cleanup);
const scratchDir = scratch.dir;

describe("latency plots", () => {
  it("writes the distribution and overhead SVGs", async () => {
    const section = buildLatencySection({
      wasmSource: null,
      results: [
        fakeResult("envoy", "get_small", 1.0),
        fakeResult("waf", "get_small", 1.6),
        fakeResult("envoy", "post_json_10k", 1.4),
        fakeResult("waf", "post_json_10k", 3.1),
        fakeResult("waf_blocked", "blocked", 0.9),
      ],
      comparisons: [{ scenario: "waf", baseline: "envoy" }],
      floor: { cell: fakeResult("engine-floor", "noop", 0.2), bareSamplesMs: fakeResult("bare", "noop", 0.18).samplesMs },
      thresholds: [],
      bootstrap: { seed: 1, resamples: 200 },
      model: "open",
      definition: "test",
      kind: "benchmark",
    });
    const dir = await scratchDir("latency-plots-");
    const files = await writeLatencyPlots(section, dir);
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ["latency-distribution.svg", "latency-overhead.svg"]);
    const distribution = await readFile(files[0]!, "utf8");
    assert.match(distribution, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const text of ["post_json_10k", "engine floor", "waf_blocked"]) assert.ok(distribution.includes(text), text);
    const overhead = await readFile(files[1]!, "utf8");
    assert.match(overhead, /^<svg/);
    assert.ok(overhead.includes("waf − envoy"));
    assert.ok((overhead.match(/<path/g) ?? []).length > 4, "error bars and points are drawn");
    // n beside every figure: in the overhead labels and in every mark's tooltip / aria label.
    assert.equal((overhead.match(/>\+[\d.]+ ms \(n=400\)</g) ?? []).length, 2, "the value and n above each interval");
    const ticks = [...overhead.matchAll(/role-axis-label[^]*?<\/g><\/g>/g)].flatMap((m) => [...m[0].matchAll(/>([-\d.]+)<\/text>/g)].map((t) => t[1]));
    assert.equal(new Set(ticks).size, ticks.length, `distinct axis labels: ${ticks.join(",")}`);
    assert.match(overhead, /aria-label="[^"]*n: 400; baseline n: 400/);
    assert.match(distribution, /aria-label="[^"]*scenario: engine floor[^"]*; n: 400"/);

    const probeFiles = await writeLatencyPlots({ ...section, run: { ...section.run, kind: "probe" } }, dir);
    assert.deepEqual(probeFiles.map((f) => f.slice(dir.length + 1)), ["latency-probe-distribution.svg", "latency-probe-overhead.svg"]);
    assert.equal(await readFile(files[1]!, "utf8"), overhead, "the probe does not overwrite the benchmark's plots");
  });
});
