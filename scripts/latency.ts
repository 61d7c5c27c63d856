// `npx tsx scripts/latency.ts`: what the WAF costs per request, per request shape, with confidence intervals.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { reportFatal, UserError } from "../harness/errors.ts";
import {
  assertLoopbackOrigin, attachLatencyToAllure, benchmarkManifest, buildLatencySection, buildRequest, DEFAULT_DEFINITION,
  emitK6Operator, engineOptionsFrom, evaluateThresholds, formatOverheadLine, h2Twin, latencyGateLines, latencyGateOptions,
  loadDefinition, measureEngineFloor, mergeLatencyIntoSummary, parseDuration, planCells, REMOTE_SCENARIOS, runCells, withHttp2,
  writeLatencyPlots, type CellResult, type CellSpec, type EngineFloor, type EngineOptions, type LatencyDefinition,
  type LatencySection, type LoadModel, type StackFacts,
} from "../harness/latency/index.ts";
import {
  onShutdown, startLocalStack, UNPINNED_NOTE, type ContainerResources, type CpuCounter, type CpuPinning, type StackInfo,
} from "../harness/stack/index.ts";
import { assertAllowed, assertOffersHttp2, tlsConnectOptions } from "../harness/http/index.ts";
import { loadRemoteTarget, LOCAL_HOST_HEADER } from "../harness/targets/index.ts";
import { parseEnv, reportsDir } from "../harness/config/index.ts";
import { loadManifest } from "../harness/manifest/index.ts";
import { allurePaths, generateAllureReport } from "../harness/report/index.ts";

const HELP = `Usage: npx tsx scripts/latency.ts [options]

Measures latency per request shape through each target, and the overhead of the WAF
against its baseline (p50/p99 deltas with 95 % bootstrap intervals). Scenarios, shapes
and thresholds come from ${relativeToCwd(DEFAULT_DEFINITION)} (shared with scripts/k6).
Load goes to loopback addresses only.

Remote: WAF_TARGET=<name> measures the gateway named in WAF_TARGETS_FILE (its allowlist is
enforced, its rate limit caps the open model's rate, its Host header is sent; with a
baselineUrl the WAF's overhead is computed against it, otherwise absolute figures only).

Targets: by default a local stack is started from WAF_PLUGIN (one Envoy serving the
manifest's default set, the seed rule alone on Host seed.wafcheck.test and, with
WAF_PARANOIA=N, the default set at level N). Or give URLs (a scenario whose target has
no URL is skipped):
  --waf-url URL         Envoy with the Coraza plug-in        (target "waf")
  --baseline-url URL    the same Envoy without the plug-in   (target "baseline")
  --upstream-url URL    the upstream, no Envoy               (target "upstream")
  --target NAME=URL     any other target named in the definition (repeatable)
  --host NAME           Host header (default: the definition's, app.example.test)
  --wasm-source TEXT    where the plug-in came from, recorded in the report

HTTP version (WAF_HTTP): 1.1 (default); 2: every scenario through Envoy over HTTP/2 (TLS,
ALPN h2; the local stack's TLS listeners, or the gateway's https URL); both: each of those
scenarios gets an HTTP/2 twin <name>_h2, interleaved with it, with its own overhead figures.

Load:
  --model open|closed   open: constant arrival rate, latency from the scheduled start;
                        closed: N users in a loop (default: each scenario's k6 executor)
  --rate N              requests per second per cell (open model; default: the definition's
                        openModel rate, which k6 uses with K6_MODEL=open), capped per shape by maxRate
  --vus N               virtual users (closed model)
  --samples N           samples per scenario and shape (default: per shape in the definition)
  --duration D          time budget per scenario and shape, k6 syntax: 10s, 1m (default: per shape)
  --scenarios a,b       only these scenarios      --shapes a,b   only these shapes
  --seed N              block order and bootstrap seed (default: the definition's)
  --resamples N         bootstrap resamples (default 2000)
  --skip-floor          do not measure the engine's own floor first
  --unpinned            local stack: leave CPU placement to the scheduler. By default Envoy gets the upper
                        half of the Docker engine's CPUs, and httpbin and this process the rest (taskset):
                        sharing cores costs the WAF its warm caches, so unpinned figures come out higher
                        and more scattered (summary.json latency.cpuPinning)

Output:
  --out DIR             where the SVG plots (latency-distribution.svg, latency-overhead.svg) and the
                        Allure result (DIR/allure-results) go (default: reports, or WAF_REPORTS_DIR)
  --summary FILE        summary.json to merge the "latency" section into (default: DIR/summary.json)
  --definition FILE     another scenario definition (default: the shared one)
  -h, --help

Distributed load (nothing is sent from here):
  --emit k6-operator    write DIR/k6-operator/testrun.yaml: a ConfigMap (scripts/k6/latency.ts bundled,
                        and the definition) and a k6 Operator TestRun against WAF_TARGET=<gateway>,
                        checked against the operator's TestRun CRD (k6-operator v0.0.19 via the Go proxy)
  --parallelism N       runner pods (default 4)   --namespace NS   (default default)

Gates (off unless set): WAF_MAX_P95_OVERHEAD_MS, WAF_MAX_P50_RATIO, per overhead entry.

Exit status: 0 when every response had its expected status and every threshold and gate held;
1 otherwise; 2 on bad input.`;

const SPREAD_BLOCKS = 10;

const OPTIONS = {
  "waf-url": { type: "string" },
  "baseline-url": { type: "string" },
  "upstream-url": { type: "string" },
  target: { type: "string", multiple: true },
  host: { type: "string" },
  "wasm-source": { type: "string" },
  model: { type: "string" },
  rate: { type: "string" },
  vus: { type: "string" },
  samples: { type: "string" },
  duration: { type: "string" },
  scenarios: { type: "string" },
  shapes: { type: "string" },
  seed: { type: "string" },
  resamples: { type: "string" },
  "skip-floor": { type: "boolean" },
  unpinned: { type: "boolean" },
  out: { type: "string" },
  summary: { type: "string" },
  definition: { type: "string" },
  emit: { type: "string" },
  parallelism: { type: "string" },
  namespace: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

const log = (line: string) => console.error(`[latency] ${line}`);

interface Targets {
  urls: Record<string, string>;
  wasmSource: string | null;
  /** A remote gateway's constraints (WAF_TARGET), when the load goes there. */
  remote?: { host?: string; rateLimit: number; origins: string[]; tls: NonNullable<EngineOptions["tls"]> };
  /** Facts about the local stack the load went through (null for explicit URLs). */
  stack: StackFacts | null;
  /** The local stack's Envoy: CPU counter (read around every block) and memory. */
  envoy?: { cpu: CpuCounter; resources: () => Promise<ContainerResources> };
  /** The local stack's TLS listeners: trust its run CA (HTTP/2 scenarios). */
  tls?: NonNullable<EngineOptions["tls"]>;
  /** The local stack: whether Envoy ran on CPUs of its own. */
  cpuPinning?: CpuPinning;
  /** Stops whatever was started to provide the targets. */
  release(): Promise<void>;
}

/**
 * Where the load goes: explicit URLs, or (by default) a local stack started for this run whose one Envoy
 * serves the manifest's default set, the seed set and, with WAF_PARANOIA, the default set at that level.
 */
async function acquireTargets(args: Args): Promise<Targets> {
  const urls: Record<string, string> = {};
  if (args["upstream-url"]) urls.upstream = args["upstream-url"];
  if (args["baseline-url"]) urls.baseline = args["baseline-url"];
  if (args["waf-url"]) urls.waf = args["waf-url"];
  for (const pair of args.target ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserError(`--target expects NAME=URL (got ${pair})`);
    urls[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (Object.keys(urls).length === 0) return parseEnv().WAF_TARGET === "local" ? startStackTargets(args.unpinned === true) : remoteTargets();
  for (const url of Object.values(urls)) assertLoopbackOrigin(url);
  return { urls, wasmSource: args["wasm-source"] ?? null, stack: null, release: async () => {} };
}

/**
 * A gateway from the targets file (WAF_TARGET): absolute figures through it, and the WAF's overhead when the
 * target names a no-WAF `baselineUrl` for the same backend. Its allowlist is checked before anything is sent,
 * and its rate limit caps the open model's rate.
 */
async function remoteTargets(): Promise<Targets> {
  const env = parseEnv();
  const target = await loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
  const urls: Record<string, string> = { waf: target.baseUrl };
  if (target.baselineUrl) urls.baseline = target.baselineUrl.replace(/\/+$/, "");
  // HTTP/2 goes to the same URLs (ALPN decides); the gateway must offer it.
  if (env.WAF_HTTP !== "1.1") {
    await assertOffersHttp2(target);
    for (const name of ["waf", "baseline"]) if (urls[name]) urls[h2Twin(name)] = urls[name]!;
  }
  for (const url of Object.values(urls)) {
    try {
      assertAllowed(target, url, target.hostHeader);
    } catch (error) {
      throw new UserError((error as Error).message);
    }
  }
  log(`remote target ${target.name}: ${target.baseUrl}${target.baselineUrl ? ` (baseline ${target.baselineUrl})` : " (no baselineUrl: absolute figures only)"}, at most ${target.rateLimit} requests/s`);
  return {
    urls,
    wasmSource: null,
    stack: null,
    remote: {
      host: target.hostHeader,
      rateLimit: target.rateLimit ?? 10,
      origins: Object.values(urls).map((u) => new URL(u).origin),
      tls: tlsConnectOptions(target),
    },
    release: async () => {},
  };
}

async function startStackTargets(unpinned: boolean): Promise<Targets> {
  const env = parseEnv();
  const loaded = await loadManifest(env.WAF_PLUGIN);
  const manifest = benchmarkManifest(loaded, env.WAF_PARANOIA);
  const stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log: (l) => log(`[stack] ${l}`) });
  const removeHandlers = onShutdown(() => stack.stop(), log);
  const fromStack = targetsFromStack(stack.info());
  if (env.WAF_PARANOIA !== undefined) {
    fromStack.urls.waf_paranoia = stack.gatewayUrl;
    fromStack.urls[h2Twin("waf_paranoia")] = stack.tls.gatewayUrl;
  }
  log(`stack up: Envoy ${stack.envoyVersion}, plug-in ${stack.wasmSource}`);
  const cpuPinning: CpuPinning = unpinned ? { pinned: false, note: UNPINNED_NOTE } : await stack.pinCpus();
  log(`CPU: ${cpuPinning.note}`);
  return {
    cpuPinning,
    ...fromStack,
    stack: {
      envoyVersion: stack.envoyVersion,
      wasmSha256: stack.wasmSha256,
      pluginConfigSha256: stack.pluginConfigSha256,
      // What `waf_crs` measured: the manifest's own config, as `npm run waf` loads it (its probe compares this).
      manifestPluginConfigSha256: loaded.pluginConfigSha256,
      paranoia: env.WAF_PARANOIA ?? null,
    },
    envoy: { cpu: await stack.cpuCounter(), resources: () => stack.resources() },
    tls: { ca: await readFile(stack.tls.caFile), servername: LOCAL_HOST_HEADER },
    release: async () => {
      removeHandlers();
      await stack.stop();
    },
  };
}

/** The local stack's URLs under the target names the definition uses. */
export function targetsFromStack(info: StackInfo): Pick<Targets, "urls" | "wasmSource"> & { urls: Record<string, string> } {
  return {
    urls: { waf: info.gatewayUrl, baseline: info.baselineUrl, upstream: info.upstreamUrl, [h2Twin("waf")]: info.tls.gatewayUrl, [h2Twin("baseline")]: info.tls.baselineUrl },
    wasmSource: info.wasmSource,
  };
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`--${name} expects a positive integer (got ${text})`);
  return n;
}

function list(text: string | undefined): string[] | undefined {
  return text?.split(",").map((s) => s.trim()).filter(Boolean);
}

function relativeToCwd(path: string): string {
  return path.startsWith(process.cwd() + "/") ? path.slice(process.cwd().length + 1) : path;
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false });
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  if (args.model !== undefined && args.model !== "open" && args.model !== "closed")
    throw new UserError(`--model is open or closed (got ${args.model})`);
  if (args.emit !== undefined) {
    if (args.emit !== "k6-operator") throw new UserError(`--emit ${args.emit}: the one output is k6-operator`);
    const file = await emitK6Operator({
      outDir: resolve(args.out ?? reportsDir()),
      parallelism: positiveInt("parallelism", args.parallelism) ?? 4,
      namespace: args.namespace ?? "default",
      ...(args.definition && { definitionPath: resolve(args.definition) }),
      log,
    });
    console.log(`wrote ${relativeToCwd(file)} (validated against the k6 Operator's TestRun CRD); apply it with kubectl apply -f ${relativeToCwd(file)}`);
    return 0;
  }
  const durationMs = args.duration === undefined ? undefined : parseDuration(args.duration);
  if (args.duration !== undefined && durationMs === undefined) throw new UserError(`--duration: not a duration like 10s or 1m (got ${args.duration})`);

  const definitionPath = resolve(args.definition ?? DEFAULT_DEFINITION);
  const http = parseEnv().WAF_HTTP;
  const def = http === "1.1" ? await loadDefinition(definitionPath) : withHttp2(await loadDefinition(definitionPath), http);
  if (http !== "1.1") log(http === "2" ? "HTTP/2 (TLS, ALPN h2) for every scenario through Envoy" : "HTTP/1.1 and HTTP/2 (TLS, ALPN h2) side by side: every scenario through Envoy has an _h2 twin");
  const engine = engineOptionsFrom(def);
  engine.seed = positiveInt("seed", args.seed) ?? engine.seed;
  const resamples = positiveInt("resamples", args.resamples) ?? 2000;
  const outDir = resolve(args.out ?? reportsDir());
  const summaryPath = resolve(args.summary ?? `${outDir}/summary.json`);

  const targets = await acquireTargets(args);
  try {
    const remote = targets.remote;
    const rate = positiveInt("rate", args.rate);
    const plan = planCells(def, {
      targets: targets.urls,
      host: args.host ?? remote?.host,
      hostOverridesScenarios: remote !== undefined,
      // A gateway gets the open model at no more than its rate limit (one cell runs at a time).
      model: remote ? "open" : (args.model as "open" | "closed" | undefined),
      ratePerSec: remote ? Math.min(rate ?? remote.rateLimit, remote.rateLimit) : rate,
      vus: positiveInt("vus", args.vus),
      samples: positiveInt("samples", args.samples),
      timeBudgetMs: durationMs,
      // A gateway serves one directive set: the local-only scenarios (direct, waf_seed, waf_paranoia) do not apply.
      scenarios: list(args.scenarios) ?? (remote ? [...REMOTE_SCENARIOS, ...(http === "both" ? REMOTE_SCENARIOS.map(h2Twin) : [])] : undefined),
      shapes: list(args.shapes),
    });
    for (const s of plan.skipped) log(`skipping scenario ${s.scenario}: ${s.reason}`);
    if (plan.cells.length === 0) throw new UserError("nothing to measure: no scenario has a target URL and a selected shape");

    const budgetMs = plan.cells.reduce((sum, c) => sum + c.timeBudgetMs, 0);
    log(`${plan.cells.length} cells (scenario × shape), at most ${(budgetMs / 1000).toFixed(0)} s of load, interleaved in ${engine.blockMs} ms blocks`);

    const floor = args["skip-floor"] ? null : await engineFloor(def, plan.cells[0]!.model, engine, args.host ?? remote?.host);

    const abort = new AbortController();
    const onSigint = () => {
      log("interrupted: finishing the current block, then writing what was measured");
      abort.abort();
    };
    process.once("SIGINT", onSigint);
    let lastLog = 0;
    const results = await runCells(plan.cells, {
      ...engine,
      ...(remote && { allowedOrigins: remote.origins, tls: remote.tls }),
      ...(targets.tls && { tls: targets.tls }),
      // Envoy's CPU around every block of the cells that go through it (httpbin direct: not Envoy's work).
      ...(targets.envoy && { meterCpuSeconds: (cell: CellSpec) => (cell.tags.target === "upstream" ? Promise.resolve(0) : targets.envoy!.cpu.read()) }),
      // Every cell spread over at least SPREAD_BLOCKS blocks: a fast cell (Envoy without the WAF: 2,000 samples in one
      // second) would otherwise be measured at one moment of the run and its baseline would not be interleaved at all.
      maxSamplesPerBlock: engine.maxSamplesPerBlock ?? Math.ceil(Math.max(...plan.cells.map((c) => c.samples)) / SPREAD_BLOCKS),
      signal: abort.signal,
      onProgress: (e) => {
        if (e.kind !== "round" || (Date.now() - lastLog < 5000 && e.activeCells > 0)) return;
        lastLog = Date.now();
        log(`round ${e.round}: ${e.collected}/${e.target} samples, ${e.activeCells} cells still running, ${(e.elapsedMs / 1000).toFixed(0)} s`);
      },
    }).finally(() => process.off("SIGINT", onSigint));

    const thresholds = evaluateThresholds(def.thresholds, results);
    const memory = await targets.envoy?.resources().catch(() => undefined);
    log(`bootstrapping overhead intervals (${resamples} resamples)`);
    const section = buildLatencySection({
      wasmSource: targets.wasmSource,
      stack: targets.stack,
      results,
      comparisons: def.comparisons,
      floor,
      thresholds,
      bootstrap: { seed: engine.seed, resamples },
      model: args.model === "open" || args.model === "closed" ? args.model : "per-scenario",
      definition: relativeToCwd(definitionPath),
      kind: "benchmark",
      ...(targets.cpuPinning && { cpuPinning: targets.cpuPinning }),
      ...(memory && targets.envoy && { envoy: { rssBytes: memory.rssBytes ?? memory.memoryBytes, memoryBytes: memory.memoryBytes, cpuSource: targets.envoy.cpu.source } }),
    });
    await mergeLatencyIntoSummary(summaryPath, section);
    const plots = await writeLatencyPlots(section, outDir);
    printTables(section, results);
    log(`wrote ${relativeToCwd(summaryPath)} (latency), ${plots.map(relativeToCwd).join(", ")}`);
    const env = parseEnv();
    const gates = latencyGateLines(section, latencyGateOptions(env));
    for (const line of gates) console.log(line);
    const bad =
      results.some((r) => r.mismatches > 0 || r.errors > 0) || thresholds.some((t) => t.ok === false) || gates.some((l) => l.startsWith("FAIL"));
    await attachToAllure(section, plots, outDir, bad);
    return bad ? 1 : 0;
  } finally {
    await targets.release();
  }
}

async function engineFloor(def: LatencyDefinition, model: LoadModel, engine: ReturnType<typeof engineOptionsFrom>, host?: string): Promise<EngineFloor> {
  const shape = def.shapes.find((s) => s.group === "benign") ?? def.shapes[0]!;
  log(`measuring the engine floor (${model.kind} model, no-op loopback server)`);
  return measureEngineFloor({
    model,
    request: buildRequest(shape, def.headers, host ?? def.host),
    samples: 500,
    timeBudgetMs: 5000,
    engine,
  });
}

/**
 * The section and both plots as a result in the Allure report, beside the last `npm run waf` results in
 * DIR/allure-results, then the report regenerated (needs Java; without it the result waits for the next one).
 */
async function attachToAllure(section: LatencySection, plots: string[], outDir: string, bad: boolean): Promise<void> {
  const allure = allurePaths(outDir);
  await attachLatencyToAllure(allure.results, section, plots, {
    id: "wafcheck-latency-benchmark",
    name: "Latency overhead of the WAF (npm run latency)",
    status: bad ? "failed" : "passed",
    message: `${section.wasmSource ?? "plug-in: unknown"}; ${section.scenarios.length} cells, ${section.overhead.length} overhead figures${bad ? "; a status, threshold or gate failed (see latency.json)" : ""}`,
  });
  const report = await generateAllureReport(allure).catch((error: Error) => {
    log(`Allure result written to ${relativeToCwd(allure.results)}; report not regenerated (needs Java 17+): ${error.message.split("\n")[0]}`);
    return undefined;
  });
  if (report) log(`Allure report: ${relativeToCwd(report)}`);
}

function printTables(section: LatencySection, results: readonly CellResult[]): void {
  const ms = (x: number | null) => (x === null ? "-" : x.toFixed(3));
  const rows = section.scenarios.map((s, i) => {
    const r = results[i]!;
    const cpu = s.envoyCpuMsPer1k === undefined || s.envoyCpuMsPer1k === null ? "-" : s.envoyCpuMsPer1k.toFixed(0);
    return `${s.name.padEnd(14)} ${s.shape.padEnd(14)} ${String(s.n).padStart(6)} ${ms(s.p50Ms).padStart(8)} ${ms(s.p95Ms).padStart(8)} ${ms(s.p99Ms).padStart(8)} ${ms(s.maxMs).padStart(9)} ${cpu.padStart(10)}  ${r.mismatches} mismatched, ${r.errors} errors${r.dropped ? `, ${r.dropped} dropped` : ""}`;
  });
  console.log(`${"scenario".padEnd(14)} ${"shape".padEnd(14)} ${"n".padStart(6)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(9)} ${"CPU ms/1k".padStart(10)}`);
  for (const row of rows) console.log(row);
  const cut = section.scenarios.filter((s) => s.notEstimable?.length);
  if (cut.length) console.log(`"-": not estimable from the sample (fewer than 5 requests beyond the percentile): ${cut.map((s) => `${s.name}/${s.shape} ${s.notEstimable!.map((x) => x.split(":")[0]).join("+")} (n = ${s.n})`).join(", ")}`);
  const floor = section.engineFloor;
  if (floor)
    console.log(
      `engine floor: p50 ${ms(floor.p50Ms)} ms, p99 ${ms(floor.p99Ms)} ms (n=${floor.n}); a bare undici loop against the same server, same run: p50 ${ms(floor.bareP50Ms ?? null)} ms (n=${floor.bareN}), the floor ×${floor.ratioToBare ?? "-"} of it`,
    );
  for (const o of section.overhead) console.log(formatOverheadLine(o));
  if (section.cpuPinning) console.log(`CPU: ${section.cpuPinning.note}`);
  if (section.envoy)
    console.log(`Envoy: ${(section.envoy.rssBytes / 2 ** 20).toFixed(0)} MiB resident after the load; CPU ms/1k = Envoy's CPU per 1,000 requests of the cell (${section.envoy.cpuSource}, read around each block)`);
  for (const t of section.thresholds)
    console.log(
      `threshold ${t.metric} ${t.expression}: ${t.ok === null ? `not evaluated (${t.note})` : t.ok ? "ok" : "FAILED"}${t.value !== null ? ` (${t.value}, n=${t.n ?? "-"} pooled)` : ""}`,
    );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => reportFatal(error),
);
