// The run's counts, defined once. Every view (terminal, summary.json, summary.md, index.html, Allure, JUnit) shows
// these numbers under these names; none counts on its own.
import type { WafRecord } from "../engine/index.ts";
import { kindOf, KINDS, RECORD_KINDS, type RecordKind } from "../verdict/index.ts";
import { wilson, type Interval } from "./interval.ts";

export interface AttackCounts {
  /** Every attack request of the corpus that was sent. */
  sent: number;
  /** The detection denominator: blocked + bypassed + accepted gaps (attacks the WAF judged at the run's level). */
  judged: number;
  blocked: number;
  bypassed: number;
  acceptedGaps: number;
  changedByProxy: number;
  rejectedByProxy: number;
  /** Outside the run's paranoia level or settings (run, not judged), of which some reached the app. */
  informational: number;
  informationalReachedApp: number;
  /** bypassed + accepted gaps + changed by proxy + informational that reached the app. */
  reachedApp: number;
  infra: number;
}

export interface BenignCounts {
  sent: number;
  /** The false-positive denominator: passed + false positives. */
  judged: number;
  passed: number;
  falsePositives: number;
  rejectedByProxy: number;
  informational: number;
  infra: number;
}

export interface RunCounts {
  /** Every record of the run (conformance and corpus). */
  requests: number;
  byKind: Record<RecordKind, number>;
  attacks: AttackCounts;
  benign: BenignCounts;
  conformance: { sent: number; passed: number; failed: number; infra: number };
  /** Tests that produced no record: skipped ones (with their requests) and ones that broke before any request. */
  testsWithoutRecords: { skipped: number; skippedRequests: number; broken: number };
  /** blocked / judged attacks, with a 95 % Wilson interval; null when nothing was judged. */
  detectionRate: Interval | null;
  /** false positives / judged benign requests. */
  falsePositiveRate: Interval | null;
  /** (detection rate + (1 - false-positive rate)) / 2. */
  balancedAccuracy: number | null;
  /** Findings that fail the run: bypasses, false positives, unmet conformance, infrastructure errors. */
  findings: number;
}

/** One sentence per denominator and count: the first screen and the README carry them. */
export const COUNT_DEFINITIONS: Record<string, string> = {
  "judged attacks": "attacks at the run's paranoia level that the WAF judged: blocked + bypassed + accepted gaps (the detection rate's denominator)",
  "reached the app": "attacks the app received: bypassed + accepted gaps + changed by proxy + informational ones from other paranoia levels",
  "judged benign": "benign requests at the run's level that got a WAF verdict: passed + false positives (the false-positive rate's denominator)",
  informational: "requests outside the run's paranoia level or settings: sent and shown, never judged",
  proxy: "requests Envoy refused (rejected) or altered (changed) before the WAF could judge them: not WAF verdicts",
  infra: "timeouts, resets, 5xx, an unreadable WAF log: no verdict, and the run fails",
};

// The counts a record of each kind adds to: attacks, and benign requests.
const ATTACK_COUNTS: Partial<Record<RecordKind, ReadonlyArray<keyof AttackCounts>>> = {
  blocked: ["blocked"], bypass: ["bypassed"], "accepted-gap": ["acceptedGaps"], "changed-by-proxy": ["changedByProxy"], "rejected-by-proxy": ["rejectedByProxy"],
  informational: ["informational"], "informational-reached": ["informational", "informationalReachedApp"], infra: ["infra"],
};
const BENIGN_COUNT: Partial<Record<RecordKind, keyof BenignCounts>> = {
  passed: "passed", "false-positive": "falsePositives", "rejected-by-proxy": "rejectedByProxy", informational: "informational", infra: "infra",
};

export function countRecords(records: readonly WafRecord[], recordless: ReadonlyArray<{ status: "skipped" | "failed"; requests: number }> = []): RunCounts {
  const byKind = Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>;
  const a: AttackCounts = { sent: 0, judged: 0, blocked: 0, bypassed: 0, acceptedGaps: 0, changedByProxy: 0, rejectedByProxy: 0, informational: 0, informationalReachedApp: 0, reachedApp: 0, infra: 0 };
  const b: BenignCounts = { sent: 0, judged: 0, passed: 0, falsePositives: 0, rejectedByProxy: 0, informational: 0, infra: 0 };
  const c = { sent: 0, passed: 0, failed: 0, infra: 0 };
  let findings = 0;
  for (const r of records) {
    const kind = recordKind(r);
    byKind[kind]++;
    if (KINDS[kind].finding) findings++;
    if (r.suite === "conformance") {
      c.sent++;
      if (kind === "infra") c.infra++;
      else if (r.fails) c.failed++;
      else c.passed++;
      continue;
    }
    if (r.meta.expect === "block") {
      a.sent++;
      for (const key of ATTACK_COUNTS[kind] ?? []) a[key]++;
      if (KINDS[kind].reachedApp) a.reachedApp++;
    } else {
      b.sent++;
      const key = BENIGN_COUNT[kind];
      if (key) b[key]++;
    }
  }
  a.judged = a.blocked + a.bypassed + a.acceptedGaps;
  b.judged = b.passed + b.falsePositives;
  const skipped = recordless.filter((t) => t.status === "skipped");
  const broken = recordless.length - skipped.length;
  const detectionRate = a.judged > 0 ? wilson(a.blocked, a.judged) : null;
  const falsePositiveRate = b.judged > 0 ? wilson(b.falsePositives, b.judged) : null;
  const balancedAccuracy = detectionRate && falsePositiveRate ? round((detectionRate.rate + (1 - falsePositiveRate.rate)) / 2) : null;
  return {
    requests: records.length,
    byKind,
    attacks: a,
    benign: b,
    conformance: c,
    testsWithoutRecords: { skipped: skipped.length, skippedRequests: skipped.reduce((n, t) => n + t.requests, 0), broken },
    detectionRate,
    falsePositiveRate,
    balancedAccuracy,
    findings: findings + broken,
  };
}

/** The kind of one record (kinds.ts decides; this only picks the record's fields). */
export function recordKind(r: Pick<WafRecord, "meta" | "verdict" | "judgement" | "informational" | "fails">): RecordKind {
  return kindOf({ expect: r.meta.expect, verdict: r.verdict, judgement: r.judgement, informational: r.informational, fails: r.fails });
}

/** "98.1 % (915/933 judged attacks, 95 % CI 97.0–98.8 %)" */
export function describeRate(rate: Interval | null, what: string): string {
  if (!rate) return `no ${what}`;
  return `${pct(rate.rate)} % (${rate.k}/${rate.n} ${what}; 95 % CI ${pct(rate.low)}–${pct(rate.high)} %)`;
}

export const pct = (x: number) => Math.round(x * 1000) / 10;
const round = (x: number) => Math.round(x * 10_000) / 10_000;
