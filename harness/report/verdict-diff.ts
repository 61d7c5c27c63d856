import type { VerdictsFile } from "./verdicts.ts";

/** What a change does to one request, in a reviewer's terms; the first two are regressions. */
export type ChangeKind = "new-bypass" | "new-false-positive" | "new-block" | "fixed-false-positive" | "verdict-changed" | "rules-changed";
export const CHANGE_KINDS: readonly ChangeKind[] = ["new-bypass", "new-false-positive", "new-block", "fixed-false-positive", "verdict-changed", "rules-changed"];

type Entry = VerdictsFile["requests"][string];

export interface RequestChange {
  id: string;
  test: string;
  kind: ChangeKind;
  base: Entry;
  candidate: Entry;
  /** Rules only one side matched. */
  rulesAdded: number[];
  rulesRemoved: number[];
}

export interface VerdictDiff {
  /** Requests both runs judged. */
  compared: number;
  unchanged: number;
  counts: Record<ChangeKind, number>;
  changes: RequestChange[];
  /** Requests one side did not run (a different corpus or --grep): named, not compared. */
  onlyInBase: string[];
  onlyInCandidate: string[];
  /** Requests that got no verdict (timeouts, resets, 5xx) per side: a review with any is not to be trusted. */
  infra: { base: number; candidate: number };
}

/** The judgements of an attack, and of a benign request (verdicts.json; the rule diff sorts requests by them too). */
export const ATTACK_JUDGEMENTS: ReadonlySet<string> = new Set(["true-positive", "bypass", "accepted-gap"]);
export const BENIGN_JUDGEMENTS: ReadonlySet<string> = new Set(["true-negative", "false-positive"]);

/**
 * The per-request difference between two runs of the same requests (two records of the same request id, one per
 * configuration). An attack is a request either side judged as one; a benign request likewise. Verdicts are the
 * records' own: nothing is judged again here.
 */
export function verdictDiff(base: Pick<VerdictsFile, "requests">, candidate: Pick<VerdictsFile, "requests">): VerdictDiff {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  const changes: RequestChange[] = [];
  let compared = 0;
  for (const [id, b] of Object.entries(base.requests)) {
    const c = candidate.requests[id];
    if (!c) continue;
    compared++;
    const rulesB = new Set(b.rules ?? []);
    const rulesC = new Set(c.rules ?? []);
    const rulesAdded = [...rulesC].filter((r) => !rulesB.has(r)).sort((x, y) => x - y);
    const rulesRemoved = [...rulesB].filter((r) => !rulesC.has(r)).sort((x, y) => x - y);
    const kind = changeKind(b, c, rulesAdded.length + rulesRemoved.length > 0);
    if (!kind) continue;
    counts[kind]++;
    changes.push({ id, test: b.test, kind, base: b, candidate: c, rulesAdded, rulesRemoved });
  }
  return {
    compared,
    unchanged: compared - changes.length,
    counts,
    changes: changes.sort((x, y) => CHANGE_KINDS.indexOf(x.kind) - CHANGE_KINDS.indexOf(y.kind) || x.id.localeCompare(y.id)),
    onlyInBase: Object.keys(base.requests).filter((id) => !candidate.requests[id]).sort(),
    onlyInCandidate: Object.keys(candidate.requests).filter((id) => !base.requests[id]).sort(),
    infra: { base: infraCount(base), candidate: infraCount(candidate) },
  };
}

function infraCount(file: Pick<VerdictsFile, "requests">): number {
  return Object.values(file.requests).filter((r) => r.verdict === "infra").length;
}

function changeKind(b: Entry, c: Entry, rulesDiffer: boolean): ChangeKind | undefined {
  const judged = [b.judgement, c.judgement];
  const blockedThenNot = b.verdict === "blocked" && c.verdict === "allowed";
  const notThenBlocked = b.verdict === "allowed" && c.verdict === "blocked";
  if (judged.some((j) => j !== undefined && ATTACK_JUDGEMENTS.has(j))) {
    if (blockedThenNot) return "new-bypass";
    if (notThenBlocked) return "new-block";
  }
  if (judged.some((j) => j !== undefined && BENIGN_JUDGEMENTS.has(j))) {
    if (notThenBlocked) return "new-false-positive";
    if (blockedThenNot) return "fixed-false-positive";
  }
  if (b.verdict !== c.verdict) return "verdict-changed";
  return rulesDiffer ? "rules-changed" : undefined;
}

export interface RegressionLimits {
  maxNewBypasses: number;
  maxNewFalsePositives: number;
}

/**
 * The lines that make a review fail (exit 1): more new bypasses or new false positives than allowed, and requests
 * without a verdict (infrastructure errors), which leave the comparison incomplete.
 */
export function regressions(diff: VerdictDiff, limits: RegressionLimits): string[] {
  const out: string[] = [];
  if (diff.compared === 0) out.push("no request was judged on both sides");
  if (diff.infra.base + diff.infra.candidate > 0) out.push(`infrastructure errors: ${diff.infra.base} requests on the base, ${diff.infra.candidate} on the candidate`);
  if (diff.counts["new-bypass"] > limits.maxNewBypasses) out.push(`${diff.counts["new-bypass"]} new bypasses (allowed: ${limits.maxNewBypasses})`);
  if (diff.counts["new-false-positive"] > limits.maxNewFalsePositives)
    out.push(`${diff.counts["new-false-positive"]} new false positives (allowed: ${limits.maxNewFalsePositives})`);
  return out;
}
