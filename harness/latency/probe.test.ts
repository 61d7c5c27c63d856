import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { StackInfo } from "../stack/stack.ts";
import { latencyProbe } from "./probe.ts";
import { mergeLatencyIntoSummary, type LatencySection } from "./report.ts";

const STACK = { wasmSource: "build", envoyVersion: "1.40.0", wasmSha256: "w", pluginConfigSha256: "c" } as unknown as StackInfo;

describe("latency probe failure", () => {
  it("is logged, recorded under latencyProbe and in Allure, keeps latency, and does not throw", async () => {
    const reports = await mkdtemp(join(tmpdir(), "latency-probe-"));
    const summaryPath = join(reports, "summary.json");
    await writeFile(summaryPath, JSON.stringify({ suites: { conformance: { passed: 3 } }, latency: { wasmSource: "bench" } }));
    const lines: string[] = [];
    const result = await latencyProbe(STACK, reports, (l) => lines.push(l), async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:10000");
    });
    assert.equal(result, null);
    assert.ok(
      lines.some((l) => /^latency probe FAILED .*ECONNREFUSED/.test(l)),
      lines.join("\n"),
    );
    const summary = JSON.parse(await readFile(summaryPath, "utf8"));
    assert.deepEqual(summary.suites, { conformance: { passed: 3 } });
    assert.deepEqual(summary.latency, { wasmSource: "bench" });
    assert.match(summary.latencyProbe.error, /ECONNREFUSED/);
    assert.ok(!Number.isNaN(Date.parse(summary.latencyProbe.failedAt)));
    const results = (await readdir(join(reports, "allure-results"))).filter((f) => f.endsWith("-result.json"));
    assert.equal(results.length, 1);
    const allure = JSON.parse(await readFile(join(reports, "allure-results", results[0]!), "utf8"));
    assert.equal(allure.status, "broken");
    assert.match(allure.statusDetails.message, /ECONNREFUSED/);
  });

  it("does not throw even when summary.json cannot be updated", async () => {
    const reports = await mkdtemp(join(tmpdir(), "latency-probe-"));
    await writeFile(join(reports, "summary.json"), "{ half-written");
    const lines: string[] = [];
    const result = await latencyProbe(STACK, reports, (l) => lines.push(l), () => Promise.reject(new Error("boom")));
    assert.equal(result, null);
    assert.ok(lines.some((l) => l.includes("FAILED") && l.includes("boom")));
    assert.ok(lines.some((l) => l.includes("not recorded in summary.json")));
    assert.equal(await readFile(join(reports, "summary.json"), "utf8"), "{ half-written");
  });
});

function server(delayMs: number): Promise<Server> {
  const s = createServer((req, res) => {
    req.resume();
    req.on("end", () => setTimeout(() => res.writeHead(req.headers["x-user-type"] === "baned" ? 403 : 200).end("{}"), delayMs));
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

describe("latency probe against stand-in servers", () => {
  it("keeps the same stack's full benchmark in latency, goes under latencyProbe, with its own plot files", { timeout: 60_000 }, async () => {
    const servers = await Promise.all([server(0), server(0), server(1)]);
    const [upstream, baseline, waf] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    try {
      const reports = await mkdtemp(join(tmpdir(), "latency-probe-"));
      const stack = { ...STACK, upstreamUrl: upstream, baselineUrl: baseline, gatewayUrl: waf } as unknown as StackInfo;
      const bench = {
        wasmSource: "bench",
        stack: { envoyVersion: "1.40.0", wasmSha256: "w", pluginConfigSha256: "c+bench", manifestPluginConfigSha256: "c", paranoia: null },
        scenarios: [],
        overhead: [],
        run: { kind: "benchmark", definition: "scenarios.json" },
      } as unknown as LatencySection;
      await mergeLatencyIntoSummary(join(reports, "summary.json"), bench);
      const lines: string[] = [];
      const section = await latencyProbe(stack, reports, (l) => lines.push(l));
      assert.ok(section, lines.join("\n"));
      const summary = JSON.parse(await readFile(join(reports, "summary.json"), "utf8"));
      assert.equal(summary.latency.wasmSource, "bench");
      assert.equal(summary.latencyProbe.run.kind, "probe");
      assert.ok(summary.latencyProbe.overhead.length > 0);
      const files = await readdir(reports);
      assert.ok(files.includes("latency-probe-distribution.svg") && files.includes("latency-probe-overhead.svg"), files.join(" "));
      assert.ok(!files.includes("latency-overhead.svg"), "the full benchmark's plot names are left alone");
      assert.ok(lines.some((l) => /^probe overhead waf_crs vs envoy get_small \(n=\d+, baseline n=\d+\)/.test(l)), lines.join("\n"));
      assert.ok(lines.some((l) => /^probe waf_crs get_small: n=\d+/.test(l)), lines.join("\n"));
      assert.ok(lines.some((l) => l.includes("summary.json latencyProbe")), lines.join("\n"));
    } finally {
      for (const s of servers) s.close();
    }
  });
});
