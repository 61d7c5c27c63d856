import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { ruleCatalogOrReason } from "../crs/index.ts";
import { decodeRecords, decodeRun, hasRunContext, readRunContext, REQUESTS_ANNOTATION, type RunContext, type WafRecord } from "../engine/index.ts";
import { publishRun } from "./publish-run.ts";
import type { RecordlessTest } from "./record-views.ts";
import { buildRunModel, type RecordSet } from "./run-model.ts";
import { suiteOf } from "./summary.ts";
import { readSummary, summaryPathIn } from "./summary-store.ts";
import { writeFileAtomic } from "./write-atomic.ts";

/** Where the reporter hands the records over to the orchestrator (npm run waf sets it in the run context; waf:merge here). */
export const RECORDS_FILE_VARIABLE = "WAF_RECORDS_FILE";

/** The records of one Playwright run, with the context they were made in. */
export interface HandedOver extends RecordSet {
  context: RunContext;
}

/**
 * The one reporter: it gathers the engine's records (one per request) and the tests that produced none. It never
 * changes a record or decides a verdict; the run model built from them is what every report renders.
 */
export default class RecordsReporter implements Reporter {
  private readonly records = new Map<string, WafRecord>();
  private readonly recordless = new Map<string, RecordlessTest>();
  private run: RunContext | undefined;

  onBegin(): void {
    // Read early: run directly, Playwright's global teardown removes the context before onEnd.
    this.run = hasRunContext() ? readRunContext() : undefined;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Merging shards (npm run waf:merge): no run context file here; each shard's tests carry theirs.
    if (!this.run) this.run = result.attachments.map(decodeRun).find((r) => r !== undefined);
    const records = result.attachments.flatMap(decodeRecords);
    for (const r of records) this.records.set(`${r.suite}\u0000${r.id}`, r); // a retry's records replace the earlier ones
    this.recordless.delete(test.id);
    if (records.length > 0 || result.status === "passed") return;
    const suite = suiteOf(specFile(test));
    const title = test.titlePath().filter(Boolean).slice(1).join(" › ");
    if (result.status === "skipped") {
      const requests = Number(test.annotations.concat(result.annotations).find((a) => a.type === REQUESTS_ANNOTATION)?.description ?? 1);
      const reason = [...result.annotations, ...test.annotations].find((a) => a.type === "skip")?.description ?? "skipped";
      this.recordless.set(test.id, { suite, title, status: "skipped", requests, reason });
    } else {
      const reason = `${result.status}: ${(result.error?.message ?? "no records").split("\n")[0]}`;
      this.recordless.set(test.id, { suite, title, status: "failed", requests: 0, reason });
    }
  }

  async onEnd(): Promise<void> {
    const run = this.run ?? (hasRunContext() ? readRunContext() : undefined);
    if (!run || run.dryRunFile) return; // nothing ran (--list), or a dry run: nothing sent, nothing to report
    const set: RecordSet = { records: [...this.records.values()], recordless: [...this.recordless.values()] };
    // Under npm run waf (and waf:merge) the orchestrator builds the run model with the steps after the suites and
    // renders it once: the records go to it, no report is written here.
    const handOver = process.env[RECORDS_FILE_VARIABLE] ?? run.recordsFile;
    if (handOver) {
      await writeFileAtomic(handOver, JSON.stringify({ context: run, ...set } satisfies HandedOver));
      return;
    }
    // Run directly (npx playwright test, or a side of a matrix or review): this folder's reports from the records alone.
    const model = buildRunModel({
      context: run, main: set, previousSummary: await readSummary(summaryPathIn(run.reportsDir)).catch(() => undefined),
      ruleCatalog: await ruleCatalogOrReason(run.config, run.stack !== null),
    });
    await publishRun(model, run.reportsDir, (line) => console.error(`[report] ${line}`), { allure: false });
  }

  printsToStdio(): boolean {
    return false;
  }
}

/** The spec file a test belongs to, relative to suites/ (tests defined by a shared helper have that helper as their location). */
function specFile(test: TestCase): string {
  let suite: TestCase["parent"] | undefined = test.parent;
  while (suite && suite.type !== "file") suite = suite.parent;
  return suite?.title ?? "";
}
