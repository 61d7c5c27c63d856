import type { Verdict } from "./verdict.ts";

/** How a corpus request's verdict is judged; the categories are what reports count and Allure groups by. */
export type Judgement =
  | "true-positive" // attack blocked
  | "bypass" // attack reached the app: a finding, the test fails
  | "accepted-gap" // attack reached the app, but an exceptions.yaml entry accepts it
  | "true-negative" // benign passed
  | "false-positive" // benign blocked: the test fails
  | "rejected-by-proxy" // Envoy refused it before the WAF: neither blocked nor bypassed
  | "changed-by-proxy" // Envoy altered the request on the way: not a WAF verdict
  | "infra"; // timeout, reset, 5xx: never a verdict

export interface JudgeInput {
  expect: "block" | "allow";
  verdict: Verdict;
  /** Attacks: lowest PL expected to block. Benign: highest PL expected to pass. */
  paranoia?: number;
  /** The run's blocking paranoia level. */
  runParanoia: number;
  acceptedGap?: boolean;
  /** The case needs a WAF setting this run's manifest lacks (see capabilities.ts): informational. */
  unmetRequirement?: string;
  /** Differences between what was sent and what httpbin received (allowed requests only). */
  proxyChanges?: readonly string[];
}

export interface Decision {
  judgement: Judgement;
  /** Outside the run's paranoia level: recorded for the PL matrix, never a failure. */
  informational: boolean;
  /** Fails the test (a finding or an infrastructure error). */
  fails: boolean;
  message: string;
}

/** Pure decision for one corpus request: what happened and whether it fails the run. */
export function judge(input: JudgeInput): Decision {
  const { expect, verdict, paranoia, runParanoia } = input;
  const otherLevel = paranoia !== undefined && (expect === "block" ? paranoia > runParanoia : paranoia < runParanoia);
  const why = otherLevel ? `expected ${expect} at PL${paranoia}, run at PL${runParanoia}` : input.unmetRequirement;
  const informational = why !== undefined;
  const result = (judgement: Judgement, fails: boolean, message: string): Decision => ({
    judgement,
    informational,
    fails: fails && !informational,
    message: informational ? `informational (${why}): ${message}` : message,
  });
  if (verdict === "infra") return { judgement: "infra", informational, fails: true, message: "infrastructure error, not a WAF verdict" };
  if (verdict === "rejected-by-proxy") return result("rejected-by-proxy", false, "rejected by proxy (Envoy refused it before the WAF)");
  if (expect === "block") {
    if (verdict === "blocked") return result("true-positive", false, "blocked");
    if (input.proxyChanges && input.proxyChanges.length > 0)
      return result("changed-by-proxy", false, `changed by proxy, not a WAF verdict: ${input.proxyChanges.join("; ")}`);
    if (input.acceptedGap) return result("accepted-gap", false, "reached the app: accepted gap (exceptions.yaml)");
    // Outside the run's level it is not judged: it reached the app, but is no bypass of this configuration.
    return result("bypass", true, informational ? "the attack reached the app" : "WAF bypass: the attack reached the app");
  }
  if (verdict === "blocked") return result("false-positive", true, "false positive: benign request blocked");
  return result("true-negative", false, "allowed");
}
