// `npm run waf:merge -- <dir>`: the reports of a run split with --shard=i/n, from the shards' blob reports
// (Playwright's merge-reports feeding the same records reporter): summary.json, verdicts.json, junit.xml, Allure
// and the first screen, counted exactly as an unsharded run would count them.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { ruleCatalogOrReason } from "../harness/crs/index.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { driftOf, givenDriftBaseline } from "../harness/remote/index.ts";
import {
  buildRunModel, corazaVersionFor, publishRun, readHandedOver, readSummary, RECORDS_FILE_VARIABLE, summaryPathIn, requestVerdicts,
  type StepOutput,
} from "../harness/report/index.ts";
import { reportsDir } from "../harness/config/index.ts";

const HELP = `Usage: npm run waf:merge -- <folder>

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
  const previousSummary = await readSummary(summaryPathIn(reports)); // a corrupt summary.json stops here, untouched
  log(`${zips.length} blob report(s) from ${dir} → ${reports}`);
  const scratch = await mkdtemp(join(tmpdir(), "wafcheck-merge-"));
  try {
    const recordsFile = join(scratch, "records.json");
    const merged = await execa(resolve(import.meta.dirname, "../node_modules/.bin/playwright"), ["merge-reports", "--reporter", resolve(import.meta.dirname, "../harness/report/records-reporter.ts"), dir], {
      env: { WAF_REPORTS_DIR: reports, [RECORDS_FILE_VARIABLE]: recordsFile },
      reject: false,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const handed = await readHandedOver(recordsFile);
    if (!handed) throw new UserError(`${dir}: the blob reports hold no wafcheck records (merge-reports exit ${merged.exitCode})`);
    const run = { ...handed.context, reportsDir: reports };
    // A gateway's shards (WAF_DRIFT=off each) are compared with the local run here, once, over all their requests.
    const baseline = process.env.WAF_DRIFT_BASELINE;
    let drift: StepOutput | undefined;
    if (baseline && run.target.name !== "local") {
      const d = driftOf({ target: run.target, requests: requestVerdicts(handed.records) }, run.target.name, await givenDriftBaseline(baseline, run.manifest.pluginConfigSha256), log);
      drift = { sections: { drift: d.drift }, extraResults: [d.result] };
    }
    const model = buildRunModel({
      context: run, main: handed, sections: drift?.sections ?? {}, extraResults: drift?.extraResults ?? [],
      ...(previousSummary && { previousSummary }), corazaVersion: await corazaVersionFor(run.stack),
      ruleCatalog: await ruleCatalogOrReason(run.config, run.stack !== null),
    });
    const published = await publishRun(model, reports, log);
    log(published.overview.headline);
    const suites = Object.entries(published.summary.suites as Record<string, { passed: number; failed: number; skipped: number; infra: number }>);
    for (const [suite, c] of suites) log(`${suite}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ${c.infra} infrastructure errors`);
    return published.failed || published.counts.findings > 0 ? 1 : 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().then((code) => (process.exitCode = code), reportFatal);
