// WAF_HTTP: which passes a run makes (one per HTTP version) and, for `both`, the comparison that joins them into
// the run model: summary.json `detection.protocolDifferences` and `http`, one Allure result per difference.
import { join } from "node:path";
import type { WafEnv } from "../config/index.ts";
import { UserError } from "../errors.ts";
import {
  compareProtocols, countRecords, differenceLine, protocolDifferenceResult, requestVerdicts, type ProtocolComparison,
  type RecordSet, type StepOutput,
} from "../report/index.ts";
import { shardTotal } from "../engine/index.ts";
import type { HttpVersion } from "../http/index.ts";

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
 * After both passes: compares their verdicts request by request. The comparison becomes summary.json `http` and
 * `detection.protocolDifferences` and one failed Allure result per difference (run model sections); the HTTP/2
 * records are rendered beside the HTTP/1.1 ones. The caller gets the comparison for the exit status.
 */
export function compareProtocolPasses(main: RecordSet, http2Pass: RecordSet, reports: { http1: string; http2: string }, log: (line: string) => void): { comparison: ProtocolComparison; step: StepOutput } {
  const { comparison, differences } = compareProtocols({ requests: requestVerdicts(main.records) }, { requests: requestVerdicts(http2Pass.records) });
  const counts = countRecords(http2Pass.records, http2Pass.recordless);
  const http2 = { blocked: counts.attacks.blocked, judged: counts.attacks.judged, falsePositives: counts.benign.falsePositives, benign: counts.benign.judged };
  log(`HTTP/1.1 vs HTTP/2: ${comparison.compared} requests compared, ${comparison.findings} judged differently (${comparison.differences - comparison.findings} more kept from the app over both, by another layer), ${comparison.rulesOnly} with other rules only; HTTP/2 pass: ${http2.blocked}/${http2.judged} judged attacks blocked, ${http2.falsePositives}/${http2.benign} benign blocked`);
  if (comparison.notCompared.sentAsHttp1InBoth > 0) log(`  ${comparison.notCompared.sentAsHttp1InBoth} raw requests are HTTP/1.1 text in both passes: not compared`);
  for (const difference of differences.slice(0, 20)) log(`  ${differenceLine(difference)}`);
  if (differences.length > 20) log(`  … ${differences.length - 20} more in summary.json detection.protocolDifferences`);
  return {
    comparison,
    step: {
      sections: { http: { ...comparison, passes: { "HTTP/1.1": { reports: reports.http1 }, "HTTP/2": { reports: reports.http2, detection: http2 } } }, protocolDifferences: differences },
      extraResults: differences.map(protocolDifferenceResult),
    },
  };
}
