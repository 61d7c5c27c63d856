// `npm run ftw`: the Core Rule Set's regression tests (ftw YAML) against the local stack (the WAF's own log, exact
// per request, so tests run in parallel) or, status codes only, against a gateway.
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseEnv } from "../harness/config/env.ts";
import { Engine } from "../harness/engine/engine.ts";
import { WafLog } from "../harness/engine/waf-log.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { ftwJunitXml } from "../harness/ftw/junit.ts";
import { loadFtwTests } from "../harness/ftw/load.ts";
import { createDispatcher } from "../harness/http/send.ts";
import { runFtwTests, type FtwTestResult } from "../harness/ftw/run.ts";
import { crsTestsDir, embeddedCrsVersion, pluginIgnoreList, pluginModuleDir } from "../harness/ftw/sources.ts";
import { loadManifest } from "../harness/manifest/load-manifest.ts";
import { writeAllureResult } from "../harness/report/allure-result.ts";
import { allurePaths, generateAllureReport, prepareAllureResults } from "../harness/report/allure.ts";
import { reportsDir } from "../harness/report/reports-dir.ts";
import { mergeSummarySections, readSummary, summaryPathIn } from "../harness/report/summary-store.ts";
import { writeFileAtomic } from "../harness/report/write-atomic.ts";
import { newRunId } from "../harness/run/run-context.ts";
import { onShutdown } from "../harness/stack/shutdown.ts";
import { startLocalStack, type StartedStack } from "../harness/stack/stack.ts";
import { localTarget } from "../harness/targets/local-target.ts";
import type { Target } from "../harness/targets/target.ts";
import { loadRemoteTarget } from "../harness/targets/targets-file.ts";
import { throttleFor } from "../harness/remote/throttle.ts";
import { defaultVerdictPolicy } from "../harness/verdict/verdict.ts";

const FTW_MANIFEST = resolve(import.meta.dirname, "../envoy-local/examples/ftw.yaml");

const HELP = `Usage: npm run ftw [-- <dir|file.yaml …>] [--include RE] [--exclude RE] [--concurrency N] [--no-ignore]

Runs ftw regression tests (the Core Rule Set's format) and reports each test's outcome.
Default tests: the CRS regression suite of the CRS version the plug-in embeds (fetched through
the Go module proxy into the module cache), with the plug-in's own Envoy ignore list.
Local stack (default): Envoy + the plug-in with WAF_PLUGIN (default: envoy-local/examples/ftw.yaml,
which includes @ftw-conf); each request's matched rules come from the WAF's own log, tied to the
request by its x-wafcheck-id header, so tests run in parallel and no marker requests are sent.
WAF_TARGET=<gateway>: status codes only: expect_ids means "blocked", no_expect_ids "let through",
an explicit status wins; anything else is reported undecidable, never passed.
  --include RE / --exclude RE   select tests by id (e.g. 942100-1) or rule file name
  --concurrency N               requests in flight (default 16 locally, the target's cap remotely)
  --no-ignore                   run the ignored tests too
Writes reports/ftw-results.json, reports/ftw-junit.xml, the "ftw" section of reports/summary.json and
Allure results.
Exit status: 0 all passed, 1 a test failed, 2 bad input (e.g. a malformed ftw file: one line
naming file, test and field), 4 the local stack could not run.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { help: { type: "boolean", short: "h" }, include: { type: "string" }, exclude: { type: "string" }, concurrency: { type: "string" }, "no-ignore": { type: "boolean" } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const log = (line: string) => console.error(`[ftw] ${line}`);
  const env = parseEnv({ ...process.env, WAF_PLUGIN: process.env.WAF_PLUGIN ?? FTW_MANIFEST });
  const include = regex("--include", values.include);
  const exclude = regex("--exclude", values.exclude);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) throw new UserError(`--concurrency ${values.concurrency}: a whole number ≥ 1`);
  const reports = reportsDir();
  await readSummary(summaryPathIn(reports)); // a corrupt summary.json stops here, untouched

  const plugin = await pluginModuleDir();
  const crsVersion = await embeddedCrsVersion(plugin.dir);
  const paths = positionals.length > 0 ? positionals.map((p) => resolve(p)) : [await crsTestsDir(crsVersion)];
  const all = loadFtwTests(paths);
  const tests = all.filter((t) => (!include || include.test(t.id) || include.test(t.ruleFile)) && !(exclude && (exclude.test(t.id) || exclude.test(t.ruleFile))));
  if (tests.length === 0) throw new UserError(`no ftw test selected (${all.length} loaded from ${paths.join(", ")})`);
  const local = env.WAF_TARGET === "local";
  const ignores = values["no-ignore"] || !local ? new Map<string, string>() : await pluginIgnoreList(plugin.dir);
  log(`${tests.length} tests from ${paths.map((p) => relative(process.cwd(), p) || p).join(", ")} (CRS ${crsVersion} embedded in the plug-in), ${[...ignores.keys()].filter((id) => tests.some((t) => t.id === id)).length} ignored`);

  let stack: StartedStack | undefined;
  let target: Target;
  if (local) {
    const manifest = await loadManifest(env.WAF_PLUGIN);
    stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, log, reflector: true });
    onShutdown(() => stack!.stop(), log);
    target = localTarget(stack.info());
  } else target = await loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
  const dispatcher = createDispatcher(target); // TLS options of a gateway apply to the sentinel and HTTP sends too
  try {
    const engine = new Engine({
      target,
      dispatcher,
      settings: { paranoia: 4, capabilities: new Set(), gaps: [], policy: defaultVerdictPolicy },
      ...(stack && { wafLog: new WafLog(stack.envoyLogFile, `wc-${newRunId()}-${process.pid}`, true) }),
      throttle: throttleFor(target, 1),
      concurrency: concurrency ?? (local ? 16 : (target.concurrency ?? 2)),
    });
    const started = performance.now();
    let last = 0;
    const results = await runFtwTests(tests, {
      engine,
      ignores,
      mode: local ? "local" : "status-only",
      blockStatuses: target.blockStatuses ?? [403],
      onProgress: (done, total) => {
        if (done - last >= 500 || done === total) log(`${(last = done)}/${total} tests (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    return await report(results, { seconds, crsVersion, paths, reports, targetName: target.name, stack, log });
  } finally {
    await dispatcher.close();
    await stack?.stop();
  }
}

async function report(
  results: FtwTestResult[],
  ctx: { seconds: number; crsVersion: string; paths: string[]; reports: string; targetName: string; stack?: StartedStack; log: (l: string) => void },
): Promise<number> {
  const count = (o: FtwTestResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const sent = results.length - count("ignored");
  const section = {
    crsVersion: ctx.crsVersion,
    target: ctx.targetName,
    files: new Set(results.map((r) => r.file)).size,
    tests: results.length,
    passed: count("passed"),
    failed: count("failed"),
    ignored: count("ignored"),
    undecidable: count("undecidable"),
    testsPerSecond: Math.round((sent / ctx.seconds) * 10) / 10,
    seconds: Math.round(ctx.seconds * 10) / 10,
    failuresByReason: Object.fromEntries(
      ["rule-difference", "response-phase", "envoy", "no-response"].map((c) => [c, results.filter((r) => r.reasonClass === c).map((r) => r.id)]),
    ),
    ...(ctx.stack && { stack: { envoyVersion: ctx.stack.envoyVersion, wasmSha256: ctx.stack.wasmSha256, pluginConfigSha256: ctx.stack.pluginConfigSha256 } }),
  };
  await writeFileAtomic(join(ctx.reports, "ftw-results.json"), `${JSON.stringify({ ...section, results }, null, 1)}\n`);
  await mergeSummarySections(summaryPathIn(ctx.reports), { ftw: section });
  const facts = { target: ctx.targetName, crsVersion: ctx.crsVersion, ...(ctx.stack && { envoyVersion: ctx.stack.envoyVersion, wasmSha256: ctx.stack.wasmSha256, pluginConfigSha256: ctx.stack.pluginConfigSha256 }) };
  await writeFileAtomic(join(ctx.reports, "ftw-junit.xml"), ftwJunitXml(results, facts));
  const allure = allurePaths(ctx.reports);
  await prepareAllureResults(allure);
  for (const r of results)
    await writeAllureResult(allure.results, {
      id: `wafcheck:ftw:${r.id}`,
      name: `${r.id}: ${r.desc?.split("\n")[0] ?? ""}`,
      status: r.outcome === "passed" ? "passed" : r.outcome === "failed" ? "failed" : r.outcome === "ignored" ? "skipped" : "unknown",
      message: r.reasons.join("; ") || r.outcome,
      labels: [
        { name: "epic", value: `CRS ${r.ruleFile}` },
        { name: "feature", value: String(r.ruleId) },
        { name: "suite", value: "ftw" },
        ...(r.reasonClass ? [{ name: "tag", value: r.reasonClass }] : []),
      ],
      parameters: [{ name: "expected rules", value: r.expectedIds.join(", ") || "-" }],
      attachments: r.stages.map((s, i) => ({
        name: `stage ${i + 1}: ${s.status ?? s.error} — rules matched: ${s.rules.join(", ") || "none"}`,
        content: `${s.reproducer}\n`,
        type: "text/plain",
      })),
    });
  await generateAllureReport(allure, `ftw: ${section.passed}/${section.tests - section.ignored} CRS ${ctx.crsVersion} tests passed on ${ctx.targetName}`).catch((e: Error) => ctx.log(`Allure report not generated: ${e.message.split("\n")[0]}`));
  for (const [cls, ids] of Object.entries(section.failuresByReason)) if (ids.length) ctx.log(`failed (${cls}): ${ids.length}: ${ids.slice(0, 30).join(" ")}${ids.length > 30 ? " …" : ""}`);
  console.log(
    `ftw: ${section.tests} tests (CRS ${ctx.crsVersion}): ${section.passed} passed, ${section.failed} failed, ${section.ignored} ignored, ${section.undecidable} undecidable; ` +
      `${section.testsPerSecond} tests/s (n=${sent} sent in ${section.seconds} s)`,
  );
  console.log(`${section.passed} passed, ${section.failed} failed`);
  return section.failed > 0 ? 1 : 0;
}

function regex(flag: string, value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch (error) {
    throw new UserError(`${flag} ${value}: not a regular expression (${(error as Error).message})`);
  }
}

main().then((code) => (process.exitCode = code), reportFatal);
