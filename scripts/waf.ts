// `npm run waf`: start the local stack (or resolve a remote target), run every suite, write the reports.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { execa } from "execa";
import { parseEnv } from "../harness/config/env.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { loadRunManifest } from "../harness/manifest/load-manifest.ts";
import { loadExceptions } from "../harness/payloads/exceptions.ts";
import { expandCases } from "../harness/payloads/expand.ts";
import { loadCorpus, payloadDirs } from "../harness/payloads/load.ts";
import { writeCorpusFile } from "../harness/payloads/corpus-file.ts";
import { allurePaths, generateAllureReport, prepareAllureResults } from "../harness/report/allure.ts";
import { latencyProbe } from "../harness/latency/probe.ts";
import { reportsDir } from "../harness/report/reports-dir.ts";
import { readJsonIfPresent } from "../harness/report/write-atomic.ts";
import { writeStackFile } from "../harness/stack/stack-file.ts";
import { onShutdown } from "../harness/stack/shutdown.ts";
import { startLocalStack, type StartedStack } from "../harness/stack/stack.ts";
import { prepareRemoteRun, type PreparedRemoteRun } from "../harness/remote/remote-run.ts";
import { resolveTarget } from "../harness/targets/resolve-target.ts";
import { assertAllowed } from "../harness/targets/target.ts";

const HELP = `Usage: npm run waf [-- <Playwright options, e.g. --grep banned>]

Runs every suite (suites/) against WAF_TARGET (default: local) and writes
reports/summary.json, reports/junit.xml and reports/allure-report/index.html.

Environment:
  WAF_PLUGIN        WasmPlugin manifest whose pluginConfig the local stack loads
                    (default envoy-local/wasm-plugin.yaml)
  WAF_TARGET        local (default) or a target named in WAF_TARGETS_FILE
  WAF_TARGETS_FILE  remote gateways (default targets.yaml)
  WAF_WASM          build (default) | release:<version> | path/to/plugin.wasm
  WAF_IMAGE_SOURCE  local (default: images built here) | registry (official images)
  WAF_REPORTS_DIR   where reports go (default reports)
  WAF_LATENCY_PROBE off: skip the short overhead probe that ends a local run
Remote targets (WAF_TARGET=<name>):
  --dry-run           list every request the run would send (secrets redacted); send nothing
  WAF_DRIFT_BASELINE  verdicts.json of a local run of the same manifest to compare with
                      (default: the same suites are run against a local stack first)
  WAF_DRIFT=off       skip the drift comparison
  Before the suites, a canary (a normal request must get 200, the seed's banned header 403)
  proves the WAF is active with the expected config; otherwise the run stops with exit 3.
Exit status: 0 when every test passed; 1 when a test failed or hit an infrastructure
error; 2 on bad input (nothing is written then); 3 when the canary failed; 4 when the
local stack could not run (no Docker engine, a container that did not come up).`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" } }, strict: false, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let passthrough = process.argv.slice(2).filter((a) => a !== "--" && a !== "--dry-run");
  const dryRun = process.argv.includes("--dry-run");
  const log = (line: string) => console.error(`[waf] ${line}`);
  const env = parseEnv();
  const manifest = await loadRunManifest(env);
  // Validate the corpus before anything starts, so a malformed case file costs nothing and changes nothing.
  const corpus = expandCases(loadCorpus(payloadDirs()));
  const gaps = loadExceptions(payloadDirs());
  log(`corpus: ${corpus.filter((r) => r.expect === "block").length} attack and ${corpus.filter((r) => r.expect === "allow").length} benign requests, ${gaps.length} accepted gaps`);
  const started = Date.now();

  let stack: StartedStack | undefined;
  let remote: PreparedRemoteRun | undefined;
  // Workers read the expanded corpus from one JSON file instead of re-parsing the YAML: Playwright restarts a
  // worker after every failed test, and a WAF that misses hundreds of attacks must not take an hour to report it.
  const childEnv: Record<string, string> = { WAF_REPORTS_DIR: reportsDir(), WAF_CORPUS_FILE: await writeCorpusFile(corpus) };
  if (env.WAF_TARGET === "local") {
    if (dryRun) throw new UserError("--dry-run lists what a remote run (WAF_TARGET=<name>) would send; the local stack is this machine's own");
    stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, log });
    onShutdown(() => stack!.stop(), log);
    childEnv.WAF_STACK_FILE = await writeStackFile(stack.info());
    childEnv.WAF_TARGET_URL = stack.gatewayUrl;
    log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: Envoy ${stack.envoyVersion}, plug-in ${stack.wasmSource}`);
  } else {
    const target = await resolveTarget(env);
    assertAllowedOrExit(() => assertAllowed(target, target.baseUrl, target.hostHeader));
    childEnv.WAF_TARGET_URL = target.baseUrl;
    // Worker cap, --dry-run, canary and the drift baseline (harness/remote/remote-run.ts).
    const prepared = await prepareRemoteRun({ target, manifest, argv: passthrough, dryRun, reports: reportsDir(), env: process.env, log });
    if ("exitCode" in prepared) return prepared.exitCode;
    passthrough = prepared.argv;
    remote = prepared;
  }

  try {
    const reports = reportsDir();
    const allure = allurePaths(reports);
    await prepareAllureResults(allure);
    const project = env.WAF_TARGET === "local" ? "local" : "remote";
    const playwright = resolve(import.meta.dirname, "../node_modules/.bin/playwright");
    const run = await execa(playwright, ["test", `--project=${project}`, ...passthrough], {
      stdio: "inherit",
      reject: false,
      env: childEnv,
    });
    await remote?.finish();
    if (stack && process.env.WAF_LATENCY_PROBE !== "off")
      await latencyProbe(stack.info(), reports, log); // never throws: a failure is logged and recorded (summary.json latencyProbe.error)
    const report = await generateAllureReport(allure).catch((error: Error) => {
      log(`Allure report not generated (needs Java 17+): ${error.message.split("\n")[0]}`);
      return undefined;
    });
    const summary = await readJsonIfPresent(resolve(reports, "summary.json"));
    for (const [suite, counts] of Object.entries((summary?.suites ?? {}) as Record<string, Record<string, number>>))
      log(`${suite}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.infra} infrastructure errors`);
    log(`reports: ${resolve(reports, "summary.json")}, ${resolve(reports, "junit.xml")}${report ? `, ${report}` : ""}`);
    log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return run.exitCode ?? 1;
  } finally {
    await stack?.stop();
  }
}

function assertAllowedOrExit(check: () => void): void {
  try {
    check();
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  reportFatal,
);
