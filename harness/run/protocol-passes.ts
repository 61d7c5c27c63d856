// WAF_HTTP: which passes a run makes (one per HTTP version) and, for `both`, the comparison that joins them into
// the main report: summary.json `detection.protocolDifferences` and `http`, one Allure result per difference, and
// the HTTP/2 pass's own results beside the HTTP/1.1 ones.
import { cp, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { WafEnv } from "../config/env.ts";
import { UserError } from "../errors.ts";
import type { VerdictsFile } from "../remote/verdicts.ts";
import { writeAllureResult } from "../report/allure-result.ts";
import { allurePaths } from "../report/allure.ts";
import { compareProtocols, differenceLine, protocolDifferenceResult, type ProtocolComparison } from "../report/protocol-diff.ts";
import { readSummary, summaryPathIn, updateSummary } from "../report/summary-store.ts";
import { readJsonIfPresent } from "../report/write-atomic.ts";
import { shardTotal } from "../remote/throttle.ts";
import type { HttpVersion } from "../targets/target.ts";

export interface ProtocolPass {
  http: HttpVersion;
  /** The reports folder of this pass: the run's own for the first pass, `http2/` inside it for the second. */
  dir: string;
}

/** The first pass writes the main reports (as a run without WAF_HTTP does); `both` adds an HTTP/2 pass beside it. */
export function protocolPasses(mode: WafEnv["WAF_HTTP"], reports: string, argv: readonly string[]): ProtocolPass[] {
  if (mode !== "both") return [{ http: mode, dir: reports }];
  if (shardTotal(argv) > 1)
    throw new UserError("WAF_HTTP=both with --shard: run one sharded job per protocol (WAF_HTTP=1.1 and WAF_HTTP=2), each merged on its own");
  return [
    { http: "1.1", dir: reports },
    { http: "2", dir: join(reports, "http2") },
  ];
}

/**
 * After both passes: compares their verdicts, writes the comparison into the main summary.json, copies the HTTP/2
 * pass's Allure results into the main ones and adds a failed result per difference. The first screen reads the
 * comparison from summary.json `http` (write-overview.ts); the caller gets it for the exit status.
 */
export async function joinProtocolPasses(reports: string, http2Dir: string, log: (line: string) => void): Promise<ProtocolComparison | undefined> {
  const [verdicts1, verdicts2] = await Promise.all([readVerdicts(reports), readVerdicts(http2Dir)]);
  if (!verdicts1 || !verdicts2) {
    log(`HTTP/1.1 vs HTTP/2: not compared (${!verdicts1 ? reports : http2Dir} has no verdicts.json: that pass did not finish)`);
    return undefined;
  }
  const { comparison, differences } = compareProtocols(verdicts1, verdicts2);
  const http2Summary = await readSummary(summaryPathIn(http2Dir));
  const d2 = http2Summary?.detection as { blocked?: number; bypassed?: number; acceptedGaps?: number; falsePositives?: number; benign?: number } | undefined;
  const http2 = { blocked: d2?.blocked ?? 0, judged: (d2?.blocked ?? 0) + (d2?.bypassed ?? 0) + (d2?.acceptedGaps ?? 0), falsePositives: d2?.falsePositives ?? 0, benign: d2?.benign ?? 0 };
  await updateSummary(summaryPathIn(reports), (previous) => ({
    ...previous,
    detection: { ...(previous.detection as Record<string, unknown> | undefined), protocolDifferences: differences },
    http: { ...comparison, passes: { "HTTP/1.1": { reports: reports }, "HTTP/2": { reports: http2Dir, detection: http2 } } },
  }));
  const main = allurePaths(reports).results;
  const second = allurePaths(http2Dir).results;
  // Each HTTP/2 record's result has its own id (…@http2): they sit beside the HTTP/1.1 ones in one report.
  for (const name of await readdir(second).catch(() => [] as string[]))
    if (name !== "history" && name !== "environment.properties") await cp(join(second, name), join(main, name), { recursive: true });
  for (const difference of differences) await writeAllureResult(main, protocolDifferenceResult(difference));
  log(`HTTP/1.1 vs HTTP/2: ${comparison.compared} requests compared, ${comparison.findings} judged differently (${comparison.differences - comparison.findings} more kept from the app over both, by another layer), ${comparison.rulesOnly} with other rules only; HTTP/2 pass: ${http2.blocked}/${http2.judged} attacks blocked, ${http2.falsePositives}/${http2.benign} benign blocked`);
  if (comparison.notCompared.sentAsHttp1InBoth > 0) log(`  ${comparison.notCompared.sentAsHttp1InBoth} raw requests are HTTP/1.1 text in both passes: not compared`);
  for (const difference of differences.slice(0, 20)) log(`  ${differenceLine(difference)}`);
  if (differences.length > 20) log(`  … ${differences.length - 20} more in summary.json detection.protocolDifferences`);
  return comparison;
}

async function readVerdicts(dir: string): Promise<VerdictsFile | undefined> {
  return (await readJsonIfPresent(join(dir, "verdicts.json"))) as VerdictsFile | undefined;
}
