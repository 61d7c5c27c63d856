// The ftw suite from inputs to reports, shared by `npm run ftw` and `npm run waf` (WAF_FTW): inputs are all read and
// checked before anything starts; the local stack runs the ftw configuration; a gateway gets the canary first.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { reportsDir, type WafEnv } from "../config/index.ts";
import { pluginModuleDir } from "../crs/index.ts";
import { Engine, newRunId, Throttle, throttleFor, WafLog } from "../engine/index.ts";
import { UserError } from "../errors.ts";
import { createDispatcher, type Target } from "../http/index.ts";
import { loadManifest } from "../manifest/index.ts";
import { runCanary } from "../remote/index.ts";
import { mergeSummarySections, summaryPathIn, writeAllureResult, writeFileAtomic, type StepOutput } from "../report/index.ts";
import { ceilingPerSecond, cpuDelta, onShutdown, startLocalStack, type ContainerResources, type StartedStack } from "../stack/index.ts";
import { loadRemoteTarget, localTarget } from "../targets/index.ts";
import { defaultVerdictPolicy } from "../verdict/index.ts";
import { ftwAllureResult, ftwSection, ftwSummaryLines, type FtwSection } from "./ftw-report.ts";
import { ftwJunitXml } from "./junit.ts";
import { loadFtwTests } from "./load.ts";
import { applyPlatformOverrides, emptyPolicy, mergePolicies, parseFtwConfig, parsePlatformOverrides, type FtwPolicy, type OverriddenTest } from "./overrides.ts";
import { runFtwTests, type FtwTestResult } from "./run.ts";
import { crsTestsDir, embeddedCrsVersion, pluginFtwPolicy } from "./sources.ts";

/** The configuration the CRS tests assume (@ftw-conf: DetectionOnly per request, paranoia 4, phases 3-5 logged). */
export const FTW_MANIFEST = resolve(import.meta.dirname, "../../envoy-local/examples/ftw.yaml");

export const FTW_OPTIONS_HELP = `  --include RE / --exclude RE   select tests by id (e.g. 942100-1) or rule file name
  --config FILE                 a go-ftw config (.ftw.yaml): its testoverride ignore / forcepass / forcefail
                                lists (test-id regex → reason) apply besides the plug-in's ignore list
  --overrides FILE              a CRS platform overrides file (test_overrides: rule_id, test_ids, stage_ids
                                (from 0), reason, output): replaces those tests' expected output
  --concurrency N               requests in flight (default 16 locally, the target's cap remotely)
  --no-ignore                   run the plug-in's ignored tests too (your own --config lists still apply)`;

export interface FtwArgs {
  paths: string[];
  include?: RegExp;
  exclude?: RegExp;
  configFiles: string[];
  overridesFiles: string[];
  concurrency?: number;
  noIgnore: boolean;
  help: boolean;
}

export function parseFtwArgs(argv: readonly string[]): FtwArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        help: { type: "boolean", short: "h" },
        include: { type: "string" },
        exclude: { type: "string" },
        config: { type: "string", multiple: true },
        overrides: { type: "string", multiple: true },
        concurrency: { type: "string" },
        "no-ignore": { type: "boolean" },
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UserError(`ftw: ${(error as Error).message}`);
  }
  const { values, positionals } = parsed;
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) throw new UserError(`--concurrency ${values.concurrency}: a whole number ≥ 1`);
  return {
    paths: positionals.map((p) => resolve(p)),
    ...(values.include !== undefined && { include: regex("--include", values.include) }),
    ...(values.exclude !== undefined && { exclude: regex("--exclude", values.exclude) }),
    configFiles: (values.config ?? []).map((f) => resolve(f)),
    overridesFiles: (values.overrides ?? []).map((f) => resolve(f)),
    ...(concurrency !== undefined && { concurrency }),
    noIgnore: values["no-ignore"] ?? false,
    help: values.help ?? false,
  };
}

export interface PreparedFtw {
  tests: OverriddenTest[];
  policy: FtwPolicy;
  crsVersion: string;
  paths: string[];
}

/** Loads and checks every input (tests, lists, overrides): a mistake stops here, before a container starts. */
export async function prepareFtw(args: FtwArgs, local: boolean, log: (line: string) => void): Promise<PreparedFtw> {
  const plugin = await pluginModuleDir();
  const crsVersion = await embeddedCrsVersion(plugin.dir);
  const paths = args.paths.length > 0 ? args.paths : [await crsTestsDir(crsVersion)];
  const all = loadFtwTests(paths);
  const selected = all.filter((t) => (!args.include || args.include.test(t.id) || args.include.test(t.ruleFile)) && !(args.exclude && (args.exclude.test(t.id) || args.exclude.test(t.ruleFile))));
  if (selected.length === 0) throw new UserError(`no ftw test selected (${all.length} loaded from ${paths.join(", ")})`);
  const shown = (f: string) => relative(process.cwd(), f) || f;
  const userConfigs = args.configFiles.map((f) => {
    const config = parseFtwConfig(readUserFile(f), shown(f));
    if (config.notApplied.length > 0) log(`${shown(f)}: not applied (wafcheck does these its own way): ${config.notApplied.join(", ")}`);
    return config.policy;
  });
  // The plug-in's list describes its Envoy setup: a gateway is judged on everything unless the user's lists say otherwise.
  const pluginPolicy = args.noIgnore || !local ? emptyPolicy() : await pluginFtwPolicy(plugin.dir);
  const policy = mergePolicies(pluginPolicy, ...userConfigs);
  let tests: OverriddenTest[] = selected;
  for (const f of args.overridesFiles) tests = applyPlatformOverrides(tests, parsePlatformOverrides(readUserFile(f), shown(f)), shown(f));
  log(`${tests.length} tests from ${paths.map(shown).join(", ")} (CRS ${crsVersion} embedded in the plug-in)`);
  return { tests, policy, crsVersion, paths };
}

export interface FtwRunOutcome {
  results: FtwTestResult[];
  section: FtwSection;
  /** For the terminal: failures by class; the counts and Envoy CPU. */
  lines: { failures: string[]; result: string[] };
  facts: Record<string, string>;
}

/**
 * Runs the prepared tests: locally on a stack of their own (the ftw manifest, albedo for /reflect), against a
 * gateway after the canary. `manifestFile`: the local stack's config, or the config the gateway should run (canary).
 */
export async function runFtwSuite(prepared: PreparedFtw, args: FtwArgs, env: WafEnv, manifestFile: string, log: (line: string) => void): Promise<FtwRunOutcome> {
  const local = env.WAF_TARGET === "local";
  const manifest = await loadManifest(manifestFile);
  let stack: StartedStack | undefined;
  let target: Target;
  if (local) {
    // WAF_KEEP_LOGS=on: this stack's Envoy log (every payload, every matched rule) is kept beside the reports, under a
    // name of its own (inside `npm run waf` the suites' stack keeps envoy.log).
    const keepLogAs = env.WAF_KEEP_LOGS === "on" ? join(reportsDir(), "ftw-envoy.log") : undefined;
    stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log, reflector: true, ...(keepLogAs && { keepLogAs }) });
    onShutdown(() => stack!.stop(), log);
    target = localTarget(stack.info());
  } else target = await loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
  const dispatcher = createDispatcher(target); // a gateway's TLS options apply to the canary, the sentinel and every send
  try {
    if (!local) await runCanary({ target, dispatcher, manifest, throttle: new Throttle(target.rateLimit ?? 10, 1), log });
    const engine = new Engine({
      target,
      dispatcher,
      settings: { paranoia: 4, capabilities: new Set(), gaps: [], policy: defaultVerdictPolicy },
      ...(stack && { wafLog: new WafLog(stack.envoyLogFile, `wc-${newRunId()}-${process.pid}`, true) }),
      throttle: throttleFor(target, 1),
      concurrency: args.concurrency ?? (local ? 16 : (target.concurrency ?? 2)),
    });
    const cpuBefore = await stack?.resources().catch(() => undefined);
    const runnerBefore = process.cpuUsage();
    const started = performance.now();
    let last = 0;
    const results = await runFtwTests(prepared.tests, {
      engine,
      policy: prepared.policy,
      mode: local ? "local" : "status-only",
      blockStatuses: target.blockStatuses ?? defaultVerdictPolicy.blockStatuses,
      onProgress: (done, total) => {
        if (done - last >= 500 || done === total) log(`${(last = done)}/${total} tests (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const runner = process.cpuUsage(runnerBefore);
    const cpuAfter = await stack?.resources().catch(() => undefined);
    const sent = results.filter((r) => r.stages.length > 0).length;
    const runnerMsPerTest = sent > 0 ? (runner.user + runner.system) / 1000 / sent : 0;
    const envoyCpu = cpuBefore && cpuAfter && sent > 0 ? envoyCpuFigures(cpuBefore, cpuAfter, sent, sent / seconds, runnerMsPerTest) : undefined;
    const stackFacts = stack && { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, pluginConfigSha256: stack.pluginConfigSha256 };
    const section = ftwSection(results, { crsVersion: prepared.crsVersion, target: target.name, seconds, ...(stackFacts && { stack: stackFacts }), ...(envoyCpu && { envoyCpu }) });
    return { results, section, lines: ftwSummaryLines(section, sent), facts: { target: target.name, crsVersion: prepared.crsVersion, ...stackFacts } };
  } finally {
    await dispatcher.close();
    await stack?.stop();
  }
}

/** ftw-results.json, ftw-junit.xml, summary.json's `ftw` section and one Allure result per test, as a step of the run model. */
export function ftwStepOutput(outcome: FtwRunOutcome): StepOutput {
  const { results, section } = outcome;
  return {
    sections: { ftw: section },
    files: [
      { path: "ftw-results.json", content: `${JSON.stringify({ ...section, results }, null, 1)}\n` },
      { path: "ftw-junit.xml", content: ftwJunitXml(results, outcome.facts) },
    ],
    extraResults: results.map(ftwAllureResult),
  };
}

/** Writes them (npm run ftw, whose report is the ftw run alone). */
export async function writeFtwReports(outcome: FtwRunOutcome, reports: string, allureResults: string): Promise<void> {
  const step = ftwStepOutput(outcome);
  for (const f of step.files ?? []) await writeFileAtomic(join(reports, f.path), String(f.content));
  await mergeSummarySections(summaryPathIn(reports), { ...step.sections });
  for (const r of step.extraResults ?? []) await writeAllureResult(allureResults, r);
}

/** Envoy's CPU per test, and the rate its cores would allow if Envoy had them all (the ceiling for any ftw runner). */
function envoyCpuFigures(before: ContainerResources, after: ContainerResources, tests: number, testsPerSecond: number, runnerMsPerTest: number): FtwSection["envoyCpu"] {
  const cores = after.onlineCpus ?? availableParallelism();
  const { cpuSeconds, cpuMsPerUnit } = cpuDelta(before, after, tests);
  const ceiling = ceilingPerSecond(cpuMsPerUnit, cores);
  return {
    seconds: round(cpuSeconds, 1),
    msPerTest: round(cpuMsPerUnit, 2),
    cores,
    ceilingTestsPerSecond: Math.round(ceiling),
    ceilingRatio: ceiling > 0 ? round(testsPerSecond / ceiling, 2) : null,
    runnerMsPerTest: round(runnerMsPerTest, 2),
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function readUserFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UserError(`${relative(process.cwd(), file) || file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function regex(flag: string, value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new UserError(`${flag} ${value}: not a regular expression (${(error as Error).message})`);
  }
}
