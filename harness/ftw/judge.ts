import type { Outcome } from "../http/index.ts";
import type { WafEvidence } from "../engine/index.ts";
import { classify, defaultVerdictPolicy } from "../verdict/index.ts";
import type { FtwOutput } from "./schema.ts";

/** An ftw stage's result: passed, failed (with the reasons), or undecidable from what the mode can see. */
export type StageResult = { outcome: "passed" } | { outcome: "failed"; reasons: string[] } | { outcome: "undecidable"; reasons: string[] };

export interface FtwJudgeOptions {
  /** local: the WAF's own log joined to each request; status-only: a gateway, status codes only. */
  mode: "local" | "status-only";
  /** Statuses a blocking WAF answers with (status-only mode). */
  blockStatuses?: readonly number[];
}

/**
 * ftw semantics for one stage, decided in one place. Locally every assertion is checked against the response and
 * the request's own log lines. Status-only (a gateway in blocking mode): `expect_ids` means "blocked",
 * `no_expect_ids` "let through", an explicit `status` wins, and a stage whose outcome cannot be told from the status
 * alone is undecidable, never passed.
 */
export function judgeFtwStage(output: FtwOutput, outcome: Outcome, evidence: WafEvidence, options: FtwJudgeOptions): StageResult {
  const reasons: string[] = [];
  if (output.expect_error) {
    return outcome.kind === "error" ? { outcome: "passed" } : { outcome: "failed", reasons: [`expected an error, got HTTP ${outcome.status}`] };
  }
  if (outcome.kind === "error") return { outcome: "failed", reasons: [`no response: ${outcome.code}: ${outcome.message}`] };
  const statuses = output.status === undefined ? undefined : Array.isArray(output.status) ? output.status : [output.status];
  if (statuses && !statuses.includes(outcome.status)) reasons.push(`status ${outcome.status}, expected ${statuses.join(" or ")}`);
  if (output.response_contains !== undefined && !new RegExp(output.response_contains).test(outcome.body ?? outcome.bodyHead))
    reasons.push(`response does not match /${output.response_contains}/`);
  const log = output.log ?? {};
  const expectIds = log.expect_ids ?? [];
  const noExpectIds = [...(log.no_expect_ids ?? []), ...(log.no_expectids ?? [])];
  const regexes: Array<[string, boolean]> = [
    ...(log.match_regex !== undefined ? [[log.match_regex, true] as [string, boolean]] : []),
    ...(log.no_match_regex !== undefined ? [[log.no_match_regex, false] as [string, boolean]] : []),
    ...(output.log_contains !== undefined ? [[output.log_contains, true] as [string, boolean]] : []),
    ...(output.no_log_contains !== undefined ? [[output.no_log_contains, false] as [string, boolean]] : []),
  ];
  if (options.mode === "status-only") {
    if (statuses) return reasons.length ? { outcome: "failed", reasons } : { outcome: "passed" };
    // The same policy as every other verdict (verdict.ts): status-only, a block is one of the WAF's block statuses.
    const blocked = classify(outcome, { blockStatuses: options.blockStatuses ?? defaultVerdictPolicy.blockStatuses }) === "blocked";
    if (expectIds.length > 0) return blocked ? { outcome: "passed" } : { outcome: "failed", reasons: [`expected a block (rules ${expectIds.join(", ")}), got HTTP ${outcome.status}`] };
    if (noExpectIds.length > 0 && regexes.length === 0) return blocked ? { outcome: "failed", reasons: [`expected it through (not rules ${noExpectIds.join(", ")}), got HTTP ${outcome.status}`] } : { outcome: "passed" };
    return { outcome: "undecidable", reasons: ["the expectation is about log lines, which a gateway's status code cannot show"] };
  }
  if (expectIds.length > 0 || noExpectIds.length > 0 || regexes.length > 0) {
    if (evidence.kind === "unreadable") return { outcome: "failed", reasons: [evidence.reason] };
    const ids = new Set(evidence.kind === "logged" ? evidence.rules.map((r) => r.id) : []);
    const missing = expectIds.filter((id) => !ids.has(id));
    const unexpected = noExpectIds.filter((id) => ids.has(id));
    if (missing.length) reasons.push(`expected rule(s) ${missing.join(", ")} not matched`);
    if (unexpected.length) reasons.push(`rule(s) ${unexpected.join(", ")} matched, expected not to`);
    const text = evidence.kind === "logged" ? (evidence.lines ?? []).join("\n") : "";
    for (const [re, want] of regexes) if (new RegExp(re).test(text) !== want) reasons.push(`log ${want ? "does not match" : "matches"} /${re}/`);
  }
  return reasons.length ? { outcome: "failed", reasons } : { outcome: "passed" };
}
