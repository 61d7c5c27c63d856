// `npm run waf:merge -- <dir>`: the reports of a run split with --shard=i/n, from the shards' blob reports
// (Playwright's merge-reports feeding the same records reporter): summary.json, verdicts.json, junit.xml, Allure
// and the first screen, counted exactly as an unsharded run would count them.
import { readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { reportFatal, UserError } from "../harness/errors.ts";
import { allurePaths, generateAllureReportOrSay, prepareAllureResults } from "../harness/report/allure.ts";
import { MERGED_RUN_FILE } from "../harness/report/records-reporter.ts";
import { reportsDir } from "../harness/report/reports-dir.ts";
import { dropSummarySections, mergeSummarySections, readSummary, summaryPathIn } from "../harness/report/summary-store.ts";
import { driftOfRun, givenDriftBaseline } from "../harness/remote/remote-run.ts";
import { writeOverview } from "../harness/report/write-overview.ts";
import { readRunContext, RUN_CONTEXT_VARIABLE } from "../harness/run/run-context.ts";

const HELP = `Usage: npm run waf:merge -- <folder> [--keep-summary]

Merges the blob reports of a run split across machines (npm run waf -- --shard=i/n writes each
shard's into reports/blob-report/; copy them all into one folder) into one set of reports in
WAF_REPORTS_DIR (default reports/): summary.json (its run sections), verdicts.json, junit.xml,
Allure results and report, and the first screen (index.html, summary.md). The counts are those of
the same run unsharded: every view is made from the shards' per-request records, none recounted.
A gateway's shards: run each with WAF_DRIFT=off and set WAF_DRIFT_BASELINE (a local run's
verdicts.json) for the merge: drift is then computed once, over every shard's requests.
Exit status: 0 merged and every test passed, 1 merged with failures, 2 bad input.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { help: { type: "boolean", short: "h" } }, allowPositionals: true });
  if (values.help) return (console.log(HELP), 0);
  if (positionals.length !== 1) throw new UserError("waf:merge: give one folder holding every shard's blob report (report-*.zip)");
  const dir = resolve(positionals[0]!);
  const zips = await readdir(dir).then((f) => f.filter((x) => x.endsWith(".zip")), () => []);
  if (zips.length === 0) throw new UserError(`${dir}: no blob reports (report-*.zip) to merge`);
  const log = (line: string) => console.error(`[merge] ${line}`);
  const reports = reportsDir();
  await readSummary(summaryPathIn(reports)); // a corrupt summary.json stops here, untouched
  log(`${zips.length} blob report(s) from ${dir} → ${reports}`);
  const allure = allurePaths(reports);
  await prepareAllureResults(allure);
  const merged = await execa(resolve(import.meta.dirname, "../node_modules/.bin/playwright"), ["merge-reports", "--reporter", resolve(import.meta.dirname, "../harness/report/records-reporter.ts"), dir], {
    env: { WAF_MERGE: "1", WAF_REPORTS_DIR: reports },
    reject: false,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const runFile = join(reports, MERGED_RUN_FILE);
  let run;
  try {
    run = readRunContext({ [RUN_CONTEXT_VARIABLE]: runFile });
  } catch {
    throw new UserError(`${dir}: the blob reports hold no wafcheck records (merge-reports exit ${merged.exitCode})`);
  }
  await rm(runFile, { force: true });
  // Sections an earlier run left (WAF_HTTP=both, WAF_GRPC=on) are not the shards' findings.
  await dropSummarySections(summaryPathIn(reports), ["http", "grpc"]);
  // A gateway's shards (WAF_DRIFT=off each) are compared with the local run here, once, over all their requests.
  const baseline = process.env.WAF_DRIFT_BASELINE;
  if (baseline && run.target.name !== "local") {
    const { drift } = await driftOfRun(reports, run.target.name, await givenDriftBaseline(baseline, run.manifest.pluginConfigSha256), log);
    if (drift) await mergeSummarySections(summaryPathIn(reports), { drift });
  }
  const first = await writeOverview(reports, run);
  if (first) log(first.headline);
  await generateAllureReportOrSay(allure, first?.headline, log);
  const summary = await readSummary(summaryPathIn(reports));
  const suites = Object.entries((summary?.suites ?? {}) as Record<string, { passed: number; failed: number; skipped: number; infra: number }>);
  for (const [suite, c] of suites) log(`${suite}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ${c.infra} infrastructure errors`);
  return suites.some(([, c]) => c.failed + c.infra > 0) ? 1 : 0;
}

main().then((code) => (process.exitCode = code), reportFatal);
