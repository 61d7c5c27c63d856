// `npm run waf`: start the local stack (or resolve a remote target), run every suite, write the reports.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { execa } from "execa";
import { parseEnv, type WafEnv } from "../harness/config/env.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { ftwExitCode, type FtwSection } from "../harness/ftw/ftw-report.ts";
import { FTW_MANIFEST, parseFtwArgs, prepareFtw, runFtwSuite, writeFtwReports, type FtwArgs, type PreparedFtw } from "../harness/ftw/ftw-suite.ts";
import { allurePaths, generateAllureReportOrSay, prepareAllureResults } from "../harness/report/allure.ts";
import { grpcStep } from "../harness/grpc/grpc-step.ts";
import { latencyProbe } from "../harness/latency/probe.ts";
import { dropSummarySections, readSummary, summaryPathIn } from "../harness/report/summary-store.ts";
import { writeOverview } from "../harness/report/write-overview.ts";
import { onShutdown } from "../harness/stack/shutdown.ts";
import { startLocalStack, type StartedStack } from "../harness/stack/stack.ts";
import { prepareRemoteRun, type PreparedRemoteRun } from "../harness/remote/remote-run.ts";
import { splitGrep } from "../harness/run/grep-args.ts";
import { joinProtocolPasses, protocolPasses } from "../harness/run/protocol-passes.ts";
import { runSuitesInto } from "../harness/run/run-suites-into.ts";
import { assertOffersHttp2 } from "../harness/http/alpn.ts";
import { loadRunInputs, prepareRun } from "../harness/run/prepare-run.ts";
import { RUN_CONTEXT_VARIABLE } from "../harness/run/run-context.ts";
import { assertAllowed } from "../harness/targets/target.ts";
import { loadRemoteTarget } from "../harness/targets/targets-file.ts";

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
local stack could not run (no Docker engine, a container that did not come up).`;

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
  const inputs = await loadRunInputs(env);
  const ftwArgs = env.WAF_FTW === "off" ? undefined : parseFtwArgs(env.WAF_FTW === "on" ? [] : env.WAF_FTW.split(/\s+/).filter(Boolean));
  const ftw = ftwArgs && { args: ftwArgs, prepared: await prepareFtw(ftwArgs, env.WAF_TARGET === "local", (l) => console.error(`[ftw] ${l}`)) };
  const grep = splitGrep(process.argv.slice(2).filter((a) => a !== "--" && a !== "--dry-run"), inputs.corpus);
  let passthrough = grep.argv;
  const [firstPass, secondPass] = protocolPasses(env.WAF_HTTP, inputs.reportsDir, passthrough);
  log(`corpus: ${inputs.corpus.filter((r) => r.expect === "block").length} attack and ${inputs.corpus.filter((r) => r.expect === "allow").length} benign requests, ${inputs.gaps.length} accepted gaps`);
  const started = Date.now();
  const reports = inputs.reportsDir;

  let stack: StartedStack | undefined;
  let remote: PreparedRemoteRun | undefined;
  let target: { name: string; url: string };
  if (env.WAF_TARGET === "local") {
    if (dryRun) throw new UserError("--dry-run lists what a remote run (WAF_TARGET=<name>) would send; the local stack is this machine's own");
    stack = await startLocalStack({ manifest: inputs.manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log, keepLogAs: keptLog(env, reports), grpc: env.WAF_GRPC === "on" });
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

  const run = await prepareRun(inputs, { target, stack: stack?.info(), requestFilter: grep.filter, http: firstPass!.http });
  if (env.WAF_HTTP !== "1.1") log(`HTTP version: ${env.WAF_HTTP === "both" ? "HTTP/1.1, then HTTP/2 (TLS, ALPN h2) into reports/http2/, compared request by request" : "HTTP/2 (TLS, ALPN h2)"}`);
  try {
    const allure = allurePaths(reports);
    await prepareAllureResults(allure);
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
    // This run's sections only: an earlier WAF_HTTP=both or WAF_GRPC=on run's are not this run's findings.
    await dropSummarySections(summaryPathIn(reports), ["http", "grpc"]);
    // WAF_HTTP=both: the same suites again over HTTP/2, then the two passes compared request by request.
    let secondExit = 0;
    if (secondPass) {
      log("HTTP/2 pass: the same suites over TLS with ALPN h2…");
      secondExit = (await runSuitesInto(inputs, secondPass.dir, { stack: stack?.info(), target, http: "2", requestFilter: grep.filter, playwrightArgs: passthrough })) ?? 1;
      const comparison = await joinProtocolPasses(reports, secondPass.dir, log);
      if (!comparison || comparison.findings > 0) secondExit ||= 1;
    }
    const testsDone = Date.now();
    await remote?.finish();
    if (stack && process.env.WAF_LATENCY_PROBE !== "off")
      await latencyProbe(stack.info(), reports, log); // never throws: a failure is logged and recorded (summary.json latencyProbe.error)
    await grpcStep(env, stack, reports, log); // WAF_GRPC=on only; never throws (summary.json grpc, one Allure result per call)
    await stack?.stop(); // the ftw suite runs a stack of its own: the machine is its alone
    const ftwRun = ftw && (await runFtwStep(ftw, env, reports));
    const first = await writeOverview(reports, run.context, ftwRun?.section ? { ftw: ftwRun.section } : {});
    if (first) log(first.headline);
    const report = await generateAllureReportOrSay(allure, first?.headline, log);
    const summary = await readSummary(summaryPathIn(reports));
    for (const [suite, counts] of Object.entries((summary?.suites ?? {}) as Record<string, Record<string, number>>))
      log(`${suite}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.infra} infrastructure errors`);
    const detection = summary?.detection as { blocked?: number; attacks?: number; falsePositives?: number; benign?: number; staleExceptions?: Array<{ id: string; source: string }> } | undefined;
    if (detection) log(`detection at PL${run.context.paranoia}: ${detection.blocked}/${detection.attacks} attacks blocked, ${detection.falsePositives}/${detection.benign} benign requests blocked`);
    for (const stale of detection?.staleExceptions ?? []) log(`stale exception: ${stale.id} (${stale.source}) is blocked now; remove the entry`);
    log(`reports: ${resolve(reports, "index.html")} (first screen), ${resolve(reports, "summary.md")}, ${resolve(reports, "summary.json")}, ${resolve(reports, "junit.xml")}${report ? `, ${report}` : ""}`);
    log(`total ${((Date.now() - started) / 1000).toFixed(1)} s (suites ${((testsDone - started) / 1000).toFixed(1)} s incl. stack start)`);
    return (suites.exitCode ?? 1) || secondExit || (ftwRun?.exitCode ?? 0);
  } finally {
    await stack?.stop();
    await run.cleanup();
  }
}

/**
 * The CRS regression suite after the others, into the same reports. Its own failure to run (a stack that does not
 * come up) is reported and sets the exit status; the suites' report is still written.
 */
async function runFtwStep(ftw: { args: FtwArgs; prepared: PreparedFtw }, env: WafEnv, reports: string): Promise<{ exitCode: number; section?: FtwSection }> {
  const log = (line: string) => console.error(`[ftw] ${line}`);
  try {
    const outcome = await runFtwSuite(ftw.prepared, ftw.args, env, env.WAF_TARGET === "local" ? FTW_MANIFEST : env.WAF_PLUGIN, log);
    await writeFtwReports(outcome, reports, allurePaths(reports).results);
    for (const line of [...outcome.lines.failures, ...outcome.lines.result]) log(line);
    return { exitCode: ftwExitCode(outcome.section), section: outcome.section };
  } catch (error) {
    log(`the CRS regression suite did not run: ${(error as Error).message.split("\n")[0]}`);
    return { exitCode: error instanceof UserError ? error.exitCode : 1 };
  }
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
