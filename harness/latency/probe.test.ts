import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type { StackInfo } from "../stack/index.ts";
import { latencyProbe } from "./probe.ts";
import type { LatencySection } from "./report.ts";

const STACK = { wasmSource: "build", envoyVersion: "1.40.0", wasmSha256: "w", pluginConfigSha256: "c" } as unknown as StackInfo;

describe("latency probe failure", () => {
  it("is logged and becomes a latencyProbe.error section and a broken Allure result of the run model; it does not throw", async () => {
    const lines: string[] = [];
    const step = await latencyProbe(STACK, { latency: { wasmSource: "bench" } }, (l) => lines.push(l), async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:10000");
    });
    assert.ok(lines.some((l) => /^latency probe FAILED .*ECONNREFUSED/.test(l)), lines.join("\n"));
    const probe = step.sections?.latencyProbe as { error: string; failedAt: string };
    assert.match(probe.error, /ECONNREFUSED/);
    assert.ok(!Number.isNaN(Date.parse(probe.failedAt)));
    assert.equal(step.sections?.latency, undefined, "a failed probe does not touch latency");
    assert.equal(step.extraResults?.length, 1);
    assert.equal(step.extraResults?.[0]?.status, "broken");
    assert.match(step.extraResults?.[0]?.message ?? "", /ECONNREFUSED/);
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
      const stack = { ...STACK, upstreamUrl: upstream, baselineUrl: baseline, gatewayUrl: waf } as unknown as StackInfo;
      const bench = {
        wasmSource: "bench",
        stack: { envoyVersion: "1.40.0", wasmSha256: "w", pluginConfigSha256: "c+bench", manifestPluginConfigSha256: "c", paranoia: null },
        scenarios: [],
        overhead: [],
        run: { kind: "benchmark", definition: "scenarios.json" },
      } as unknown as LatencySection;
      const lines: string[] = [];
      const step = await latencyProbe(stack, { latency: bench }, (l) => lines.push(l));
      const probe = step.sections?.latencyProbe as LatencySection | undefined;
      assert.ok(probe, lines.join("\n"));
      assert.equal(step.sections?.latency, undefined, "the same stack's benchmark stays in latency");
      assert.equal(probe.run.kind, "probe");
      assert.ok(probe.overhead.length > 0);
      const files = (step.files ?? []).map((f) => f.path);
      assert.deepEqual(files.sort(), ["latency-probe-distribution.svg", "latency-probe-overhead.svg"]);
      assert.ok(lines.some((l) => /^probe overhead waf_crs vs envoy get_small \(n=\d+, baseline n=\d+\)/.test(l)), lines.join("\n"));
      assert.ok(lines.some((l) => /^probe waf_crs get_small: n=\d+/.test(l)), lines.join("\n"));
      assert.ok(lines.some((l) => l.includes("summary.json latencyProbe")), lines.join("\n"));
    } finally {
      for (const s of servers) s.close();
    }
  });
});
