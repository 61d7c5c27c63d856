// The one enumeration of what happened to a request, as every view shows it. Adding a kind is one entry here plus
// its count in harness/report/counts.ts: statuses, Allure categories, JUnit outcomes and colours follow from it.
import type { Judgement } from "./expectation.ts";
import type { Verdict } from "./verdict.ts";

export type RecordKind =
  | "blocked" // attack blocked by the WAF at the run's paranoia level
  | "bypass" // attack reached the app: a finding
  | "accepted-gap" // attack reached the app; an exceptions.yaml entry accepts it
  | "changed-by-proxy" // attack reached the app, altered by Envoy on the way: not a WAF verdict
  | "informational-reached" // attack outside the run's paranoia level (or an unmet setting) that reached the app
  | "informational" // any other request outside the run's level or settings: run, not judged
  | "rejected-by-proxy" // Envoy refused it before the WAF could act: neither blocked nor passed by the WAF
  | "passed" // a benign or conformance request answered as expected
  | "false-positive" // benign request blocked: a finding
  | "failed" // a conformance expectation not met (e.g. the app's status)
  | "infra"; // timeout, reset, 5xx, unreadable log: never a verdict

export type JunitOutcome = "ok" | "failure" | "skipped" | "error";
export type AllureStatus = "passed" | "failed" | "broken" | "skipped" | "unknown";

export interface KindView {
  /** A reviewer's name for it (legends, category names). */
  label: string;
  /** The same in a table cell. */
  short: string;
  /** Order in lists of findings: the most serious first. */
  rank: number;
  /** Allure: an attack that reached the app is never green, and counts against the donut (failed). */
  allure: AllureStatus;
  junit: JunitOutcome;
  /** Fails the run (exit 1). */
  finding: boolean;
  /** An attack that reached the app (listed on the first screen). */
  reachedApp: boolean;
  colour: string;
}

export const KINDS: Record<RecordKind, KindView> = {
  blocked: { short: "blocked", rank: 9, label: "Blocked by the WAF", allure: "passed", junit: "ok", finding: false, reachedApp: false, colour: "#2f8f4e" },
  bypass: { short: "bypass", rank: 0, label: "WAF bypass (attack reached the app)", allure: "failed", junit: "failure", finding: true, reachedApp: true, colour: "#c0392b" },
  "accepted-gap": { short: "accepted gap", rank: 1, label: "Accepted gap (attack reached the app)", allure: "failed", junit: "skipped", finding: false, reachedApp: true, colour: "#d9822b" },
  "changed-by-proxy": { short: "changed by proxy", rank: 2, label: "Changed by proxy (attack reached the app altered; not a WAF verdict)", allure: "failed", junit: "skipped", finding: false, reachedApp: true, colour: "#d9822b" },
  "informational-reached": { short: "informational", rank: 3, label: "Informational: attack reached the app (other paranoia level or setting)", allure: "failed", junit: "skipped", finding: false, reachedApp: true, colour: "#e0b050" },
  informational: { short: "informational", rank: 8, label: "Informational (other paranoia level or setting)", allure: "skipped", junit: "skipped", finding: false, reachedApp: false, colour: "#9aa5b1" },
  "rejected-by-proxy": { short: "rejected by proxy", rank: 7, label: "Rejected by proxy (Envoy refused it before the WAF)", allure: "skipped", junit: "skipped", finding: false, reachedApp: false, colour: "#7f8c8d" },
  passed: { short: "passed", rank: 10, label: "Passed (benign or conformance request as expected)", allure: "passed", junit: "ok", finding: false, reachedApp: false, colour: "#2f8f4e" },
  "false-positive": { short: "false positive", rank: 0, label: "False positive (benign request blocked)", allure: "failed", junit: "failure", finding: true, reachedApp: false, colour: "#c0392b" },
  failed: { short: "failed", rank: 0, label: "Conformance expectation not met", allure: "failed", junit: "failure", finding: true, reachedApp: false, colour: "#c0392b" },
  infra: { short: "infrastructure error", rank: 4, label: "Infrastructure error (not a WAF verdict)", allure: "broken", junit: "error", finding: true, reachedApp: false, colour: "#6c3483" },
};

export const RECORD_KINDS = Object.keys(KINDS) as RecordKind[];

/** What a kind is decided from: a record's judged fields (pure; every view calls this, none decides on its own). */
export interface KindInput {
  expect: "block" | "allow";
  verdict: Verdict;
  judgement: Judgement;
  informational: boolean;
  fails: boolean;
}

export function kindOf(r: KindInput): RecordKind {
  if (r.judgement === "infra") return "infra";
  if (r.informational) return r.expect === "block" && r.verdict === "allowed" ? "informational-reached" : "informational";
  switch (r.judgement) {
    case "true-positive":
      return r.fails ? "failed" : "blocked";
    case "true-negative":
      return r.fails ? "failed" : "passed";
    case "bypass":
    case "accepted-gap":
    case "changed-by-proxy":
    case "rejected-by-proxy":
    case "false-positive":
      return r.judgement;
  }
}

/** Allure's categories, one per kind that is not a plain pass, matched by the kind the result carries (not message text). */
export function allureCategories(): Array<{ name: string; matchedStatuses: AllureStatus[]; traceRegex: string }> {
  return RECORD_KINDS.filter((k) => KINDS[k].allure !== "passed").map((k) => ({ name: KINDS[k].label, matchedStatuses: [KINDS[k].allure], traceRegex: `(?s)kind: ${k}\\b.*` }));
}

/** The line an Allure result's trace starts with: what its category is matched by. */
export function kindTrace(kind: RecordKind): string {
  return `kind: ${kind}`;
}
