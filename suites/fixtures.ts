// The one piece of Playwright glue: workers get the run's context, its Target (local stack or remote gateway) and
// an engine that sends requests, reads the WAF's own log, and decides one record per request. Tests attach their
// records; every report is a view of them (harness/report/records-reporter.ts).
import { appendFileSync } from "node:fs";
import { test as base, type TestInfo } from "@playwright/test";
import {
  dryRunEntry, encodeRecords, encodeRun, Engine, readRunContext, RECORDS_ATTACHMENT, RUN_ATTACHMENT, throttleFor, WafLog,
  type EngineRequest, type RunContext, type WafRecord,
} from "../harness/engine/index.ts";
import { assertAllowed, createDispatcher, effectiveHeaders, type Target } from "../harness/http/index.ts";
import { resolveRunTarget } from "../harness/targets/index.ts";
import { defaultVerdictPolicy } from "../harness/verdict/index.ts";

/** Requests in flight per worker against the local stack: enough to keep Envoy's two worker threads busy. */
const LOCAL_CONCURRENCY = 4;

export const test = base.extend<{}, { run: RunContext; target: Target; engine: Engine }>({
  run: [async ({}, use) => use(readRunContext()), { scope: "worker" }],
  target: [async ({ run }, use) => use(await resolveRunTarget(run)), { scope: "worker" }],
  engine: [
    async ({ run, target }, use, workerInfo) => {
      const dispatcher = createDispatcher(target);
      const engine = new Engine({
        target,
        dispatcher,
        settings: {
          paranoia: run.paranoia,
          capabilities: new Set(run.capabilities),
          gaps: run.gaps,
          policy: target.blockStatuses ? { blockStatuses: target.blockStatuses } : defaultVerdictPolicy,
          ...(run.config.inboundThreshold !== undefined && { inboundThreshold: run.config.inboundThreshold }),
        },
        // Each worker follows the WAF's log for the requests it sent itself (ids carry its pid).
        wafLog: run.stack ? new WafLog(run.stack.envoyLogFile, `wc-${run.runId}-${process.pid}`) : undefined,
        // Every worker of every shard may run at once (nightly: shards on parallel machines): each gets its share.
        throttle: throttleFor(target, workerInfo.config.workers * (workerInfo.config.shard?.total ?? 1)),
        concurrency: target.kind === "local" ? LOCAL_CONCURRENCY : (target.concurrency ?? 2),
      });
      await use(engine);
      await dispatcher.close();
    },
    { scope: "worker" },
  ],
});

/**
 * Runs requests through the engine and attaches their records to the test. In a remote dry run it lists each
 * request (configured secrets redacted) and sends nothing.
 */
export async function runRequests(engine: Engine, run: RunContext, target: Target, requests: readonly EngineRequest[], testInfo: TestInfo): Promise<ReadonlyArray<Readonly<WafRecord>>> {
  if (run.dryRunFile) {
    for (const r of requests) {
      const baseUrl = r.via === "upstream" ? (target.upstreamUrl ?? target.baseUrl) : target.baseUrl;
      assertAllowed(target, baseUrl, effectiveHeaders(target, r).find(([n]) => n.toLowerCase() === "host")?.[1]);
      appendFileSync(run.dryRunFile, `${JSON.stringify(dryRunEntry(target, r, baseUrl, r.raw?.replaceAll("{{host}}", target.hostHeader ?? new URL(baseUrl).host)))}\n`);
    }
    testInfo.skip(true, "dry run: nothing sent");
  }
  const records = await engine.run(requests);
  await testInfo.attach(RECORDS_ATTACHMENT, { body: encodeRecords(records), contentType: "application/json" });
  await testInfo.attach(RUN_ATTACHMENT, { body: encodeRun(run), contentType: "application/json" });
  return records;
}

/** Fails the test once, listing every failing request in a reviewer's words (the records are already attached). */
export function expectNoFindings(records: ReadonlyArray<Readonly<WafRecord>>): void {
  const failing = records.filter((r) => r.fails);
  if (failing.length === 0) return;
  const shown = failing.slice(0, 25).map((r) => `  ${r.id}: ${r.message}`);
  const more = failing.length > shown.length ? [`  … and ${failing.length - shown.length} more (reports/verdicts.json, the Allure report)`] : [];
  throw new Error([`${failing.length} of ${records.length} request(s) failed:`, ...shown, ...more].join("\n"));
}
