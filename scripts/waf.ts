// `npm run waf`: start the local stack (or resolve a remote target), run every suite, write the reports.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { execa } from "execa";
import { parseEnv, type WafEnv } from "../harness/config/index.ts";
import { ruleCatalogOrReason } from "../harness/crs/index.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { FTW_MANIFEST, ftwExitCode, ftwStepOutput, parseFtwArgs, prepareFtw, runFtwSuite, type FtwArgs, type PreparedFtw } from "../harness/ftw/index.ts";
import { grpcStep } from "../harness/grpc/index.ts";
import { OPENAPI_HELP, parseOpenApiArgs } from "../harness/openapi/index.ts";
import { latencyProbe } from "../harness/latency/index.ts";
import {
  buildRunModel, carriedSections, corazaVersionFor, describeRate, joinSteps, publishRun, readHandedOver, requestVerdicts,
  type Published, type RecordSet, type RunOutcome, type StepOutput,
} from "../harness/report/index.ts";
import { onShutdown, startLocalStack, type StartedStack } from "../harness/stack/index.ts";
import { prepareRemoteRun, type PreparedRemoteRun } from "../harness/remote/index.ts";
import { compareProtocolPasses, loadRunInputs, prepareRun, protocolPasses, runSuitesForRecords, splitGrep } from "../harness/run/index.ts";
import { assertAllowed, assertOffersHttp2 } from "../harness/http/index.ts";
import { RUN_CONTEXT_VARIABLE } from "../harness/engine/index.ts";
import { loadRemoteTarget } from "../harness/targets/index.ts";

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
  WAF_KEEP_LOGS     on: keep Envoy's log (every payload and matched rule) as reports/envoy.log;
                    by default it is deleted with the stack
  WAF_HTTP          1.1 (default: clear text) | 2 (TLS, HTTP/2 by ALPN) | both: the suites once over each,
                    the HTTP/2 pass into reports/http2/, and every request judged differently by protocol
                    reported (summary.json detection.protocolDifferences; exit 1 when there is one)
  WAF_FTW           on: after the suites, run the CRS regression suite (as npm run ftw does: locally
                    on a stack with envoy-local/examples/ftw.yaml, remotely status codes only) into the
                    same report; or npm run ftw's options, e.g. WAF_FTW="--include ^942 --config my.ftw.yaml"
  WAF_GRPC          on (local target only): the stack also runs a gRPC upstream, and after the suites unary
                    gRPC calls over h2c (attacks in the protobuf body, in metadata and in the :path) measure
                    what the WAF inspects: summary.json grpc (with its finding) and one Allure result per call;
                    a measurement, it does not change the exit status
--grep/-g and --grep-invert select corpus requests by id, title or tag (e.g. --grep @sqli,
--grep sqli-001, --grep cookie) and Playwright tests by title.
--shard=i/n runs one of n parts (Playwright's sharding) and also writes reports/blob-report/;
npm run waf:merge -- <folder with every shard's blob reports> writes the reports of the whole run.
Remote targets (WAF_TARGET=<name>):
  --dry-run           list every request the run would send (secrets redacted); send nothing
  WAF_DRIFT_BASELINE  verdicts.json of a local run of the same manifest to compare with
                      (default: the same suites are run against a local stack first)
  WAF_DRIFT=off       skip the drift comparison
  Before the suites, a canary (a normal request must get 200, the seed's banned header 403)
  proves the WAF is active with the expected config; otherwise the run stops with exit 3.
Exit status: 0 when every test passed; 1 when a test failed or hit an infrastructure
error; 2 on bad input (nothing is written then); 3 when the canary failed; 4 when the
local stack could not run (no Docker engine, a container that did not come up).

${OPENAPI_HELP}`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" } }, strict: false, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const dryRun = process.argv.includes("--dry-run");
  const log = (line: string) => console.error(`[waf] ${line}`);
  const env = parseEnv();
  // Every input is validated before anything starts (manifest, corpus, exceptions, an existing summary.json), so a
  // mistake costs nothing and changes nothing.
  const openapi = parseOpenApiArgs(process.argv.slice(2), env.WAF_OPENAPI);
  const inputs = await loadRunInputs(env, openapi.options, log);
  const ftwArgs = env.WAF_FTW === "off" ? undefined : parseFtwArgs(env.WAF_FTW === "on" ? [] : env.WAF_FTW.split(/\s+/).filter(Boolean));
  const ftw = ftwArgs && { args: ftwArgs, prepared: await prepareFtw(ftwArgs, env.WAF_TARGET === "local", (l) => console.error(`[ftw] ${l}`)) };
  const grep = splitGrep(openapi.rest.filter((a) => a !== "--" && a !== "--dry-run"), inputs.corpus);
  let passthrough = grep.argv;
  const [firstPass, secondPass] = protocolPasses(env.WAF_HTTP, inputs.reportsDir, passthrough);
  log(`corpus: ${inputs.corpus.filter((r) => r.expect === "block").length} attack and ${inputs.corpus.filter((r) => r.expect === "allow").length} benign requests; exceptions.yaml: ${inputs.gaps.length} accepted-gap entries`);
  const started = Date.now();
  const reports = inputs.reportsDir;

  let stack: StartedStack | undefined;
  let remote: PreparedRemoteRun | undefined;
  let target: { name: string; url: string };
  if (env.WAF_TARGET === "local") {
    if (dryRun) throw new UserError("--dry-run lists what a remote run (WAF_TARGET=<name>) would send; the local stack is this machine's own");
    stack = await startLocalStack({ manifest: inputs.manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log, keepLogAs: keptLog(env, reports), grpc: env.WAF_GRPC === "on", ...(inputs.openapi && { reflector: true }) });
    onShutdown(() => stack!.stop(), log);
    target = { name: "local", url: stack.gatewayUrl };
    log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: Envoy ${stack.envoyVersion}, plug-in ${stack.wasmSource}`);
  } else {
    const remoteTarget = await loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
    assertAllowedOrExit(() => assertAllowed(remoteTarget, remoteTarget.baseUrl, remoteTarget.hostHeader));
    if (env.WAF_HTTP !== "1.1" && !dryRun) await assertOffersHttp2(remoteTarget);
    target = { name: remoteTarget.name, url: remoteTarget.baseUrl };
    // Worker cap, --dry-run, canary and the drift baseline (harness/remote/remote-run.ts).
    const prepared = await prepareRemoteRun({ target: remoteTarget, inputs, argv: passthrough, dryRun, reports, env: process.env, log });
    if ("exitCode" in prepared) return prepared.exitCode;
    passthrough = prepared.argv;
    remote = prepared;
  }

  const run = await prepareRun(inputs, { target, stack: stack?.info(), requestFilter: grep.filter, http: firstPass!.http, handOver: true });
  if (env.WAF_HTTP !== "1.1") log(`HTTP version: ${env.WAF_HTTP === "both" ? "HTTP/1.1, then HTTP/2 (TLS, ALPN h2) into reports/http2/, compared request by request" : "HTTP/2 (TLS, ALPN h2)"}`);
  // Every step after the suites adds to one run model; it is rendered once, at the end, and swapped in whole. A step
  // that throws ends the steps there: the report says the run failed, where, and shows what was measured.
  let stage = "suites";
  let outcome: RunOutcome = { status: "completed" };
  let main: RecordSet = { records: [], recordless: [] };
  let http2Pass: RecordSet | undefined;
  // The OpenAPI generation's own facts (operations, those without a valid benign request); findings come from the records.
  const steps: Array<StepOutput | undefined> = [inputs.openapi && { sections: { openapi: inputs.openapi.generation } }];
  let exitCode = 0;
  let testsDone = Date.now();
  try {
    const playwright = resolve(import.meta.dirname, "../node_modules/.bin/playwright");
    // A shard (--shard=i/n, Playwright's own option) also leaves a blob report for `npm run waf:merge`.
    const shard = passthrough.find((a) => a.startsWith("--shard"));
    const blobDir = shard ? resolve(reports, "blob-report") : undefined;
    if (blobDir) log(`shard ${shard!.split("=")[1] ?? ""}: blob report in ${blobDir}; merge all shards' blob reports with npm run waf:merge -- <dir>`);
    const suites = await execa(playwright, ["test", ...passthrough], {
      stdio: "inherit",
      reject: false,
      env: { [RUN_CONTEXT_VARIABLE]: run.contextFile, WAF_REPORTS_DIR: reports, ...(blobDir && { WAF_BLOB_DIR: blobDir }) },
    });
    exitCode = suites.exitCode ?? 1;
    const handed = await readHandedOver(run.context.recordsFile!);
    if (!handed) throw new Error(`the suites handed over no records (Playwright exit ${suites.exitCode ?? suites.signal})`);
    main = handed;
    // WAF_HTTP=both: the same suites again over HTTP/2, then the two passes compared request by request.
    if (secondPass) {
      stage = "HTTP/2 pass";
      log("HTTP/2 pass: the same suites over TLS with ALPN h2…");
      const second = await runSuitesForRecords(inputs, { stack: stack?.info(), target, http: "2", requestFilter: grep.filter, playwrightArgs: passthrough });
      if (!second.handedOver) throw new Error(`the HTTP/2 pass handed over no records (Playwright exit ${second.exitCode})`);
      http2Pass = second.handedOver;
      const { comparison, step } = compareProtocolPasses(main, http2Pass, { http1: reports, http2: secondPass.dir }, log);
      steps.push(step);
      if ((second.exitCode ?? 1) !== 0 || comparison.findings > 0) exitCode ||= 1;
    }
    testsDone = Date.now();
    stage = "drift";
    if (remote) steps.push(remote.finish({ target, requests: requestVerdicts(main.records) }));
    stage = "latency probe";
    if (stack && process.env.WAF_LATENCY_PROBE !== "off") steps.push(await latencyProbe(stack.info(), carriedSections(inputs.previousSummary), log)); // never throws
    stage = "gRPC probe";
    steps.push(await grpcStep(env, stack, log)); // WAF_GRPC=on only; never throws
    await stack?.stop(); // the ftw suite runs a stack of its own: the machine is its alone
    stage = "CRS regression suite";
    const ftwRun = ftw && (await runFtwStep(ftw, env));
    if (ftwRun) {
      steps.push(ftwRun.step);
      exitCode ||= ftwRun.exitCode;
    }
  } catch (error) {
    const message = (error as Error)?.message?.split("\n")[0] ?? String(error);
    log(`the run FAILED in its ${stage} step: ${message}`);
    outcome = { status: "failed", stage, error: message };
  } finally {
    await stack?.stop();
  }
  try {
    const joined = joinSteps(steps);
    const model = buildRunModel({
      context: run.context, main, ...(http2Pass && { http2Pass }), sections: joined.sections, extraResults: joined.extraResults, files: joined.files, outcome,
      ...(inputs.previousSummary && { previousSummary: inputs.previousSummary }), corazaVersion: await corazaVersionFor(run.context.stack),
      ruleCatalog: await ruleCatalogOrReason(run.context.config, run.context.stack !== null),
    });
    const published = await publishRun(model, reports, log);
    printRunSummary(published, log);
    log(`reports: ${resolve(reports, "index.html")} (first screen), ${resolve(reports, "summary.md")}, ${resolve(reports, "summary.json")}, ${resolve(reports, "junit.xml")}${published.allureReport ? `, ${published.allureReport}` : ""}`);
    log(`total ${((Date.now() - started) / 1000).toFixed(1)} s (suites ${((testsDone - started) / 1000).toFixed(1)} s incl. stack start)`);
    return published.failed ? 1 : exitCode;
  } finally {
    await run.cleanup();
  }
}

/**
 * The CRS regression suite after the others, into the same reports. Its own failure to run (a stack that does not
 * come up) is reported and sets the exit status; the suites' report is still written.
 */
async function runFtwStep(ftw: { args: FtwArgs; prepared: PreparedFtw }, env: WafEnv): Promise<{ exitCode: number; step?: StepOutput }> {
  const log = (line: string) => console.error(`[ftw] ${line}`);
  try {
    const outcome = await runFtwSuite(ftw.prepared, ftw.args, env, env.WAF_TARGET === "local" ? FTW_MANIFEST : env.WAF_PLUGIN, log);
    for (const line of [...outcome.lines.failures, ...outcome.lines.result]) log(line);
    return { exitCode: ftwExitCode(outcome.section), step: ftwStepOutput(outcome) };
  } catch (error) {
    log(`the CRS regression suite did not run: ${(error as Error).message.split("\n")[0]}`);
    return { exitCode: error instanceof UserError ? error.exitCode : 1 };
  }
}

/** The terminal's summary: the same counts, under the same names, as every report. */
function printRunSummary(published: Published, log: (line: string) => void): void {
  const k = published.counts;
  log(published.overview.headline);
  log(`attacks: ${k.attacks.sent} sent; ${describeRate(k.detectionRate, "judged attacks")} blocked; ${k.attacks.bypassed} bypassed, ${k.attacks.acceptedGaps} accepted gaps, ${k.attacks.changedByProxy} changed and ${k.attacks.rejectedByProxy} rejected by proxy, ${k.attacks.informational} informational; ${k.attacks.reachedApp} reached the app; ${k.attacks.infra} infrastructure errors`);
  log(`benign: ${k.benign.sent} sent; false positives ${describeRate(k.falsePositiveRate, "judged benign requests")}; ${k.benign.rejectedByProxy} rejected by proxy, ${k.benign.informational} informational, ${k.benign.infra} infrastructure errors`);
  for (const [suite, c] of Object.entries(published.summary.suites as Record<string, { passed: number; failed: number; skipped: number; infra: number }>))
    log(`${suite}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (gaps, informational, proxy), ${c.infra} infrastructure errors`);
  const stale = ((published.summary.detection as { staleExceptions?: Array<{ id: string; source: string }> } | undefined)?.staleExceptions ?? []);
  for (const e of stale) log(`stale exception: ${e.id} (${e.source}) is blocked now; remove the entry`);
}

/** WAF_KEEP_LOGS=on keeps Envoy's log (every payload, every matched rule) as reports/envoy.log. */
function keptLog(env: WafEnv, reports: string): string | undefined {
  return env.WAF_KEEP_LOGS === "on" ? resolve(reports, "envoy.log") : undefined;
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
