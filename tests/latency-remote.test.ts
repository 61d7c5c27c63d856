// `WAF_TARGET=<gateway> npm run latency` through the same code path a real gateway uses (targets file,
// allowlist, Host header, rate cap), against two local HTTP servers standing in for the gateway and its
// no-WAF baseline. No WAF verdict is claimed here: this checks the benchmark's remote wiring only.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempReports } from "./support/cli.ts";

function server(delayMs: number, seen: IncomingHttpHeaders[]): Promise<Server> {
  const s = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => setTimeout(() => res.writeHead(req.headers["x-user-type"] === "baned" ? 403 : 200).end("{}"), delayMs));
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

const port = (s: Server) => (s.address() as AddressInfo).port;

test("a remote target: overhead against its baselineUrl, its Host header, its rate limit", { timeout: 120_000 }, async () => {
  const gatewaySeen: IncomingHttpHeaders[] = [];
  const baselineSeen: IncomingHttpHeaders[] = [];
  const gateway = await server(3, gatewaySeen);
  const baseline = await server(0, baselineSeen);
  try {
    const dir = await tempReports();
    const targets = join(dir, "targets.yaml");
    writeFileSync(
      targets,
      `targets:\n  staging:\n    url: http://127.0.0.1:${port(gateway)}\n    baselineUrl: http://127.0.0.1:${port(baseline)}\n    host: app.example.test\n    allowlist: [127.0.0.1, app.example.test]\n    rateLimit: 40\n`,
    );
    const started = Date.now();
    const run = await runCli("latency", { WAF_TARGET: "staging", WAF_TARGETS_FILE: targets }, ["--duration", "2s", "--samples", "60", "--skip-floor", "--shapes", "get_small,blocked", "--out", dir]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 0, run.stderr.slice(-1500));
    const latency = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).latency;
    assert.deepEqual([...new Set(latency.scenarios.map((s: { name: string }) => s.name))].sort(), ["envoy", "waf_blocked", "waf_crs"]);
    const overhead = latency.overhead.find((o: { scenario: string }) => o.scenario === "waf_crs");
    assert.ok(overhead && overhead.p50DeltaMs > 1.5, JSON.stringify(overhead));
    assert.ok(gatewaySeen.length > 0 && gatewaySeen.every((h) => h.host === "app.example.test"), "the target's Host header is sent");
    // 40 requests/s at most per cell, one cell at a time: far fewer requests than an unthrottled loop would send.
    assert.ok(gatewaySeen.length + baselineSeen.length <= 40 * seconds, `${gatewaySeen.length + baselineSeen.length} requests in ${seconds} s`);
  } finally {
    gateway.close();
    baseline.close();
  }
});

test("a remote target whose URL is off its allowlist is refused before anything is sent", async () => {
  const seen: IncomingHttpHeaders[] = [];
  const gateway = await server(0, seen);
  try {
    const dir = await tempReports();
    const targets = join(dir, "targets.yaml");
    writeFileSync(targets, `targets:\n  staging:\n    url: http://127.0.0.1:${port(gateway)}\n    allowlist: [gw.example.test]\n`);
    const run = await runCli("latency", { WAF_TARGET: "staging", WAF_TARGETS_FILE: targets }, ["--duration", "1s", "--skip-floor", "--out", dir]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /wafcheck: target staging: 127\.0\.0\.1 is not on its allowlist/);
    assert.equal(seen.length, 0);
  } finally {
    gateway.close();
  }
});
