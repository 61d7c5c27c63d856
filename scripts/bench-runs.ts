// `npm run bench:runs`: how long a user waits for `npm run waf` with a healthy WAF, one that blocks nothing
// (SecRuleEngine DetectionOnly) and one that blocks everything, measured back to back on this machine, plus the
// harness's own cost per request (send + judge + record, against a no-op loopback server, no WAF).
// A benchmark that prints ratios, not a timed test: nothing here fails on speed unless --check is given.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { Agent } from "undici";
import { Engine } from "../harness/engine/index.ts";
import { fakeRequest } from "../harness/engine/test-records.ts";
import { defaultVerdictPolicy } from "../harness/verdict/index.ts";
import { reportFatal } from "../harness/errors.ts";
import { startLoopbackServer } from "../harness/latency/index.ts";
import { reportsDir } from "../harness/config/index.ts";
import { writeFileAtomic } from "../harness/report/index.ts";

const HELP = `Usage: npm run bench:runs [-- --harness-only] [--check] [--requests N]

Runs \`npm run waf\` three times, back to back, each with its own temporary reports directory:
  healthy         envoy-local/wasm-plugin.yaml (the project's manifest)
  detection-only  envoy-local/examples/detection-only.yaml (nothing is blocked: every attack fails)
  block-all       envoy-local/examples/block-all.yaml (every benign request fails)
and prints the three wall times and the ratios failing/healthy (targets: healthy <= 60 s, each failing run <= 1.5x).
Before that it measures the harness's own cost per request (send + judge + record) against a no-op loopback
server. Writes reports/bench-runs.json.
  --harness-only  only the per-request harness cost
  --check         exit 1 when a target is missed
  --requests N    requests for the harness cost (default 3000)`;

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = [
  { name: "healthy", manifest: "envoy-local/wasm-plugin.yaml", expectExit: 0 },
  { name: "detection-only", manifest: "envoy-local/examples/detection-only.yaml", expectExit: 1 },
  { name: "block-all", manifest: "envoy-local/examples/block-all.yaml", expectExit: 1 },
] as const;

async function harnessCost(n: number): Promise<{ n: number; concurrency: number; msPerRequest: number; requestsPerSecond: number }> {
  const server = await startLoopbackServer();
  const dispatcher = new Agent({ connections: 8 });
  try {
    const target = { name: "loopback", kind: "local" as const, baseUrl: server.url, headers: {}, allowlist: ["127.0.0.1"] };
    const engine = new Engine({ target, dispatcher, settings: { paranoia: 1, capabilities: new Set(), gaps: [], policy: defaultVerdictPolicy }, concurrency: 4 });
    const requests = Array.from({ length: n }, (_, i) => fakeRequest({ id: `bench/${i}`, path: `/get?q=${i}` }));
    await engine.run(requests.slice(0, 200)); // warm-up
    const started = performance.now();
    const records = await engine.run(requests);
    const ms = performance.now() - started;
    if (records.length !== n) throw new Error(`expected ${n} records, got ${records.length}`);
    return { n, concurrency: 4, msPerRequest: round(ms / n, 3), requestsPerSecond: Math.round((n / ms) * 1000) };
  } finally {
    await dispatcher.close();
    await server.close();
  }
}

async function timedRun(run: (typeof RUNS)[number]): Promise<{ name: string; wallS: number; exitCode: number; expectedExit: number; records?: number }> {
  const dir = await mkdtemp(join(tmpdir(), `wafcheck-bench-${run.name}-`));
  try {
    const started = performance.now();
    const child = await execa(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/waf.ts")], {
      cwd: ROOT,
      env: { WAF_PLUGIN: run.manifest, WAF_REPORTS_DIR: dir },
      reject: false,
      all: true,
    });
    const wallS = round((performance.now() - started) / 1000, 1);
    const summary = await import(join(dir, "summary.json"), { with: { type: "json" } }).then((m) => m.default as { run?: { records?: number } }).catch(() => undefined);
    if (child.exitCode !== run.expectExit) console.error(String(child.all).split("\n").slice(-15).join("\n"));
    return { name: run.name, wallS, exitCode: child.exitCode ?? -1, expectedExit: run.expectExit, ...(summary?.run?.records !== undefined && { records: summary.run.records }) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" }, "harness-only": { type: "boolean" }, check: { type: "boolean" }, requests: { type: "string" } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const n = Number(values.requests ?? 3000);
  console.error(`[bench] harness cost: ${n} requests through the engine to a no-op loopback server…`);
  const harness = await harnessCost(n);
  console.log(`harness: ${harness.msPerRequest} ms per request (send + judge + record, ${harness.concurrency} in flight, n=${harness.n}; ${harness.requestsPerSecond} requests/s)`);
  const result: Record<string, unknown> = { generatedAt: new Date().toISOString(), harness };
  let ok = true;
  if (!values["harness-only"]) {
    const runs = [];
    for (const run of RUNS) {
      console.error(`[bench] npm run waf with ${run.manifest}…`);
      const r = await timedRun(run);
      runs.push(r);
      console.error(`[bench]   ${r.wallS} s, exit ${r.exitCode}`);
    }
    const healthy = runs[0]!.wallS;
    console.log("\nrun             wall (s)  ratio  exit (expected)  records  target");
    for (const r of runs) {
      const ratio = round(r.wallS / healthy, 2);
      const target = r.name === "healthy" ? r.wallS <= 60 : ratio <= 1.5;
      ok &&= target && r.exitCode === r.expectedExit;
      console.log(`${r.name.padEnd(15)} ${String(r.wallS).padStart(8)}  ${ratio.toFixed(2).padStart(5)}  ${`${r.exitCode} (${r.expectedExit})`.padStart(15)}  ${String(r.records ?? "-").padStart(7)}  ${r.name === "healthy" ? "<= 60 s" : "<= 1.5x"} ${target ? "met" : "MISSED"}`);
      Object.assign(r, { ratio });
    }
    result.runs = runs;
  }
  await writeFileAtomic(join(reportsDir(), "bench-runs.json"), `${JSON.stringify(result, null, 2)}\n`);
  return values.check && !ok ? 1 : 0;
}

function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}

main().then((code) => (process.exitCode = code), reportFatal);
