import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import type { WafRecord } from "../engine/record.ts";
import { hasRunContext, readRunContext, type RunContext } from "../run/run-context.ts";
import { writeAllureResult } from "./allure-result.ts";
import { ALLURE_CATEGORIES, allureResultOf } from "./allure-records.ts";
import { junitXml } from "./junit.ts";
import { stackCommand } from "./overview.ts";
import { decodeRecords, decodeRun, REQUESTS_ANNOTATION } from "./records-attachment.ts";
import { reportsDir } from "./reports-dir.ts";

/** Where a merge leaves the shards' run context for `npm run waf:merge` (the first screen needs its facts). */
export const MERGED_RUN_FILE = ".merged-run.json";
import { detectionOf, suiteCounts, verdictsFileOf, type RecordlessTest } from "./record-views.ts";
import { environmentProperties, suiteOf, type Summary } from "./summary.ts";
import { mergeSummarySections, summaryPathIn } from "./summary-store.ts";
import { writeFileAtomic } from "./write-atomic.ts";

/**
 * The one reporter that writes a run's reports, every one a view of the engine's records: summary.json (its run
 * sections), verdicts.json, junit.xml and the Allure results. It never changes a record or decides a verdict.
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
    const records = [...this.records.values()].sort((a, b) => a.suite.localeCompare(b.suite) || a.id.localeCompare(b.id));
    const recordless = [...this.recordless.values()];
    // A merge writes where it is told; a shard's own reports dir was on the machine that ran it.
    const merging = process.env.WAF_MERGE === "1";
    const dir = merging ? reportsDir() : run.reportsDir;
    if (merging) await writeFileAtomic(join(dir, MERGED_RUN_FILE), JSON.stringify({ ...run, reportsDir: dir }));
    const stack = run.stack;
    const target = { name: run.target.name, url: run.target.url };
    const summary: Summary = {
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      target,
      stack: stack ? { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource, pluginConfigSha256: stack.pluginConfigSha256 } : null,
      suites: suiteCounts(records, recordless),
      run: { id: run.runId, startedAt: run.startedAt, records: records.length, brokenTests: recordless.filter((t) => t.status === "failed"), ...crsVersionOf(records) },
    };
    const detection = detectionOf(records, run.paranoia);
    if (detection) summary.detection = detection;
    await mergeSummarySections(summaryPathIn(dir), summary);

    const verdicts = verdictsFileOf(records, {
      generatedAt: summary.generatedAt,
      target,
      manifest: stack?.manifest ?? run.manifest.source,
      pluginConfigSha256: stack?.pluginConfigSha256 ?? run.manifest.pluginConfigSha256,
      stack: stack ? { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource } : null,
    });
    await writeFileAtomic(join(dir, "verdicts.json"), `${JSON.stringify(verdicts, null, 2)}\n`);

    const facts: Record<string, string> = { target: target.name, targetUrl: target.url, manifest: stack?.manifest ?? run.manifest.source, runId: run.runId };
    if (stack)
      Object.assign(facts, {
        envoyVersion: stack.envoyVersion,
        envoyImage: stack.envoyImage,
        httpbinImage: stack.httpbinImage,
        wasmSource: stack.wasmSource,
        wasmSha256: stack.wasmSha256,
        pluginConfigSha256: stack.pluginConfigSha256,
      });
    await writeFileAtomic(join(dir, "junit.xml"), junitXml(records, recordless, facts));

    const results = join(dir, "allure-results");
    await writeFileAtomic(join(results, "environment.properties"), environmentProperties(facts));
    await writeFileAtomic(join(results, "categories.json"), JSON.stringify(ALLURE_CATEGORIES, null, 1));
    await writeFileAtomic(join(results, "executor.json"), JSON.stringify(executorOf(target.name, run.runId, await previousBuilds(dir))));
    const sameStack = stack ? stackCommand(stack) : undefined;
    for (const r of records) await writeAllureResult(results, allureResultOf(r, target.name, sameStack));
    if (detection && detection.staleExceptions.length > 0)
      await writeAllureResult(results, {
        id: "wafcheck:stale-exceptions",
        name: `Stale exceptions: ${detection.staleExceptions.length} accepted gap(s) now blocked`,
        status: "unknown",
        message: detection.staleExceptions.map((e) => `${e.id} (${e.source}): all ${e.blocked} request(s) blocked; remove the entry`).join("\n"),
        labels: [{ name: "epic", value: "Accepted gaps" }, { name: "suite", value: "exceptions" }],
        attachments: [{ name: "stale-exceptions.json", content: `${JSON.stringify(detection.staleExceptions, null, 2)}\n`, type: "application/json" }],
      });
    for (const t of recordless)
      await writeAllureResult(results, {
        id: `wafcheck:${t.suite}:${t.title}`,
        name: t.title,
        status: t.status === "skipped" ? "skipped" : "broken",
        message: t.reason,
        labels: [{ name: "suite", value: t.suite }],
        attachments: [],
      });
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

/** The CRS version the running WAF reported on its rule lines (`[ver "OWASP_CRS/4.14.0"]`), the most frequent one. */
function crsVersionOf(records: readonly WafRecord[]): { crsVersion?: string } {
  const seen = new Map<string, number>();
  for (const r of records) for (const rule of r.waf.rules) if (rule.ver?.startsWith("OWASP_CRS/")) seen.set(rule.ver, (seen.get(rule.ver) ?? 0) + 1);
  const top = [...seen.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return top ? { crsVersion: top.slice("OWASP_CRS/".length) } : {};
}

/** Allure's executor: who ran it (CI job and commit, or this machine), numbered so the trend charts line up. */
export function executorOf(targetName: string, runId: string, previous: number, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const gha = env.GITHUB_ACTIONS === "true";
  const commit = env.GITHUB_SHA?.slice(0, 8);
  return {
    name: gha ? "GitHub Actions" : env.CI ? "CI" : "local",
    type: gha ? "github" : "wafcheck",
    buildOrder: gha && env.GITHUB_RUN_NUMBER ? Number(env.GITHUB_RUN_NUMBER) : previous + 1,
    buildName: `wafcheck ${targetName}${commit ? ` @ ${commit}` : ""} (run ${runId})`,
    ...(gha && env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID && { buildUrl: `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` }),
    reportName: `wafcheck: ${targetName}`,
  };
}

/** Runs already in the trend history (reports/allure-history), so local runs get increasing build numbers. */
async function previousBuilds(reportsDir: string): Promise<number> {
  try {
    const trend = JSON.parse(await readFile(join(reportsDir, "allure-history", "history-trend.json"), "utf8")) as unknown[];
    return Array.isArray(trend) ? trend.length : 0;
  } catch {
    return 0;
  }
}
