import type { Outcome } from "../http/index.ts";

/**
 * Where a response came from, decided from status and headers only (so it works for remote gateways too).
 * - allowed: the upstream answered (the WAF let it through)
 * - blocked: the WAF interrupted (a block status, or a 2xx whose body the WAF replaced with NUL bytes in phase 4)
 * - rejected-by-proxy: Envoy refused the request itself (400/413/414/431 … without upstream involvement)
 * - infra: timeout, reset, refusal, or a 5xx: never counts as a pass or as blocked
 */
export type Verdict = "allowed" | "blocked" | "rejected-by-proxy" | "infra";

export interface VerdictPolicy {
  /** Statuses the WAF uses for an interruption (Coraza's deny default is 403). */
  blockStatuses: readonly number[];
}

export const defaultVerdictPolicy: VerdictPolicy = { blockStatuses: [403] };

/** Envoy sets this header only on responses that came through its router from an upstream. */
const UPSTREAM_TIMING_HEADER = "x-envoy-upstream-service-time";

const NULLED_BODY = /^\u0000+$/;

const PROXY_REJECTION_STATUSES = new Set([400, 405, 408, 411, 413, 414, 426, 431, 501, 505]);

/**
 * `appStatus`: the status the app itself answers for this request (a corpus case's `appStatus`); that status
 * from the upstream is the app's designed answer, so a 5xx there means "let through", not an outage.
 */
export function classify(outcome: Outcome, policy: VerdictPolicy = defaultVerdictPolicy, appStatus?: number): Verdict {
  if (outcome.kind === "error") return "infra";
  const { status, headers } = outcome;
  const fromUpstream = headers[UPSTREAM_TIMING_HEADER] !== undefined;
  if (policy.blockStatuses.includes(status)) return "blocked";
  if (status === appStatus && fromUpstream) return "allowed";
  // A response-body (phase 4) interruption comes too late to change the status: Coraza nulls the body instead.
  if (status < 300 && outcome.bodyHead.length > 0 && NULLED_BODY.test(outcome.bodyHead)) return "blocked";
  if (status >= 500 && !PROXY_REJECTION_STATUSES.has(status)) return "infra";
  if (PROXY_REJECTION_STATUSES.has(status) && !fromUpstream) return "rejected-by-proxy";
  return "allowed";
}

/**
 * With early blocking at PL2+, CRS 950100 ("the app answered 5xx") turns any upstream 5xx into a 403 in phase 3,
 * so an outage would look like a block. Where the matched rules are known (local runs) such a block is infra,
 * unless the case expects the app itself to answer 5xx.
 */
export function masksUpstreamError(matchedRules: readonly number[], appStatus: number | undefined): boolean {
  return matchedRules.includes(950100) && (appStatus === undefined || appStatus < 500);
}

/** One line a reader understands when an expectation fails. */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === "error") return `${outcome.code}: ${outcome.message}`;
  return `HTTP ${outcome.status}`;
}
