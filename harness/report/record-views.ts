// Views of the engine's records that are plain data: suite counts, detection figures, verdicts.json, stale
// exceptions. None of them decides anything: they count and list what each record says.
import type { WafRecord } from "../engine/index.ts";
import type { VerdictsFile } from "./verdicts.ts";
import { KINDS } from "../verdict/index.ts";
import { recordKind } from "./counts.ts";
import { computeDetection, type CorpusRecord, type Detection } from "./detection.ts";
import type { SuiteCounts } from "./summary.ts";

/** A test that produced no records: skipped (with how many requests), or failed before it could (a crash, a timeout). */
export interface RecordlessTest {
  suite: string;
  title: string;
  status: "skipped" | "failed";
  /** Requests it would have sent (skipped tests). */
  requests: number;
  reason: string;
}

/** Counts per suite: one per request. A failing infra record counts as infra, never as passed or failed. */
export function suiteCounts(records: readonly WafRecord[], recordless: readonly RecordlessTest[] = []): Record<string, SuiteCounts> {
  const suites: Record<string, SuiteCounts> = {};
  const of = (suite: string) => (suites[suite] ??= { passed: 0, failed: 0, skipped: 0, infra: 0 });
  // The same outcome as the request's JUnit testcase (kinds.ts): a gap, an informational or a proxy-handled request is
  // skipped, never passed.
  for (const r of records) {
    const counts = of(r.suite);
    const outcome = KINDS[recordKind(r)].junit;
    if (outcome === "error") counts.infra++;
    else if (outcome === "failure") counts.failed++;
    else if (outcome === "skipped") counts.skipped++;
    else counts.passed++;
  }
  for (const t of recordless) {
    if (t.status === "skipped") of(t.suite).skipped += t.requests;
    else of(t.suite).infra++; // the test broke before any request was judged: never a pass, never a verdict
  }
  return suites;
}

const CORPUS_SUITES = new Set(["owasp", "false-positives"]);

/** summary.json `detection`: the corpus records counted (conformance is not part of the detection figures). */
export function detectionOf(records: readonly WafRecord[], paranoiaLevel: number): (Detection & { staleExceptions: StaleException[] }) | undefined {
  const corpus = records.filter((r) => CORPUS_SUITES.has(r.suite));
  if (corpus.length === 0) return undefined;
  const rows: CorpusRecord[] = corpus.map((r) => ({
    id: r.id,
    class: r.meta.class,
    owasp2025: r.meta.owasp2025,
    expect: r.meta.expect,
    ...(r.meta.paranoia !== undefined && { paranoia: r.meta.paranoia }),
    judgement: r.judgement,
    informational: r.informational,
  }));
  return { ...computeDetection(rows, paranoiaLevel), staleExceptions: staleExceptions(corpus) };
}

/** An accepted gap whose requests were all blocked in this run: the exception can go. */
export interface StaleException {
  id: string;
  source: string;
  reason: string;
  date: string;
  /** Requests it covers, all blocked now. */
  blocked: number;
}

export function staleExceptions(records: readonly WafRecord[]): StaleException[] {
  const byGap = new Map<string, WafRecord[]>();
  for (const r of records) if (r.acceptedGap) (byGap.get(r.acceptedGap.id) ?? byGap.set(r.acceptedGap.id, []).get(r.acceptedGap.id)!).push(r);
  const out: StaleException[] = [];
  for (const [id, covered] of byGap) {
    if (!covered.every((r) => r.judgement === "true-positive")) continue;
    const gap = covered[0]!.acceptedGap!;
    out.push({ id, source: gap.source, reason: gap.reason, date: gap.date, blocked: covered.length });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** reports/verdicts.json (the drift baseline format): every request's verdict by id, plus its judgement and rules. */
export function verdictsFileOf(records: readonly WafRecord[], head: Omit<VerdictsFile, "requests" | "schemaVersion">): VerdictsFile {
  return { schemaVersion: 1, ...head, requests: requestVerdicts(records) };
}

/** verdicts.json's `requests`: what drift and the protocol comparison compare, straight from the records. */
export function requestVerdicts(records: readonly WafRecord[]): VerdictsFile["requests"] {
  const requests: VerdictsFile["requests"] = {};
  for (const r of [...records].sort((a, b) => a.id.localeCompare(b.id)))
    requests[r.id] = {
      verdict: r.verdict,
      test: r.title,
      expect: r.meta.expect,
      // An informational request (another paranoia level) is not judged: it is never called a bypass here either.
      judgement: r.informational ? "informational" : r.judgement,
      kind: recordKind(r),
      ...(r.informational && { informational: true }),
      ...(r.response.kind === "response" && { status: r.response.status }),
      rules: [...new Set(r.waf.rules.map((x) => x.id))],
      ...(r.sent.protocol && { protocol: r.sent.protocol }),
      reproducer: r.sent.reproducer,
    };
  return requests;
}
