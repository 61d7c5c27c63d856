import type { Outcome } from "../http/index.ts";
import { unmetRequirement, type Requirement } from "../manifest/index.ts";
import { findGap, type AcceptedGap } from "../payloads/index.ts";
import { classify, describeOutcome, judge, masksUpstreamError, proxyChanges, type VerdictPolicy } from "../verdict/index.ts";
import type { EngineRequest, RecordedWaf, WafRecord } from "./record.ts";
import type { WafEvidence } from "./waf-log.ts";

/** What the run judges by (the same for every request of a run). */
export interface JudgeSettings {
  paranoia: number;
  capabilities: ReadonlySet<Requirement>;
  gaps: readonly AcceptedGap[];
  policy: VerdictPolicy;
  /** The set's inbound anomaly threshold (CRS), to say how far a bypass stayed below it. */
  inboundThreshold?: number;
}

/** The judged part of a record (acceptedGap with its source file, as exceptions.yaml gave it). */
export type Decided = Pick<WafRecord, "waf" | "verdict" | "proxyChanges" | "judgement" | "informational" | "fails" | "message"> & {
  acceptedGap?: AcceptedGap;
};

// CRS reports the inbound score when it blocks (949110/949111) and, in phase 5, when it stayed below (980170).
const INBOUND_SCORE = /Inbound Anomaly Score Exceeded[^(]*\(Total Score: (\d+)\)|Inbound Scores: blocking=(\d+)/;

/**
 * The one place a request's verdict is decided: response → verdict (status and headers), refined by the WAF's
 * own log where there is one (a 403 with no interruption logged is the app's; a block that only masks an upstream
 * 5xx is infra), proxy changes from httpbin's echo, then the expectation. Pure.
 */
export function decide(request: EngineRequest, outcome: Outcome, evidence: WafEvidence, settings: JudgeSettings): Decided {
  const waf = recordedWaf(evidence);
  let verdict = classify(outcome, settings.policy, request.appStatus);
  let note: string | undefined;
  const ruleIds = waf.rules.map((r) => r.id);
  if (evidence.kind === "unreadable") {
    verdict = "infra";
    note = evidence.reason;
  } else if (evidence.kind === "not-logged" && !evidence.wafSilent && verdict === "blocked") {
    // Every request through the local WAF logs its phase-1 line; none means Envoy answered before the filter ran
    // (e.g. its own 403 to a WebSocket upgrade the listener does not allow): not a WAF verdict.
    verdict = "rejected-by-proxy";
    note = `Envoy answered ${describeOutcome(outcome)} itself: ${evidence.reason}`;
  } else if (evidence.kind === "logged" && verdict === "blocked" && outcome.kind === "response" && settings.policy.blockStatuses.includes(outcome.status)) {
    if (evidence.complete && !waf.interruptedBy) {
      verdict = "allowed";
      note = `HTTP ${outcome.status} came from the app: the WAF logged no interruption for this request`;
    } else if (masksUpstreamError(ruleIds, request.appStatus)) {
      verdict = "infra";
      note = "CRS 950100 turned an upstream 5xx into a 403 (early blocking): the app failed, not a WAF verdict";
    }
  } else if (evidence.kind === "logged" && waf.interruptedBy && outcome.kind === "response" && outcome.status >= 300 && (verdict === "rejected-by-proxy" || verdict === "infra")) {
    // The WAF's own evidence ranks first: it interrupted the request, whatever status carried the answer (e.g. 413
    // for a body over its limit). The proxy is credited only when the WAF did not act.
    if (masksUpstreamError(ruleIds, request.appStatus)) note = "CRS 950100 turned an upstream 5xx into a block (early blocking): the app failed, not a WAF verdict";
    else {
      verdict = "blocked";
      note = `the WAF answered with HTTP ${outcome.status}`;
    }
  }
  const sent = { path: request.path, headers: request.headers, placement: request.placement, ...(request.body !== undefined && { body: request.body }) };
  const changes = verdict === "allowed" && outcome.kind === "response" ? proxyChanges(sent, outcome.body) : [];
  const gap = request.expect === "block" ? findGap(settings.gaps, request.id, request.caseId) : undefined;
  const decision = judge({
    expect: request.expect,
    verdict,
    paranoia: request.paranoia,
    runParanoia: settings.paranoia,
    acceptedGap: gap !== undefined,
    proxyChanges: changes,
    unmetRequirement: unmetRequirement(request.requires, settings.capabilities),
  });
  let { fails, message } = decision;
  if (!fails && request.expectStatus !== undefined && outcome.kind === "response" && verdict === "allowed" && outcome.status !== request.expectStatus) {
    fails = true;
    message = `${message}, but the app answered HTTP ${outcome.status} (expected ${request.expectStatus})`;
  }
  return {
    waf,
    verdict,
    proxyChanges: changes,
    judgement: decision.judgement,
    informational: decision.informational,
    fails,
    message: reviewerMessage(request, outcome, waf, message, note, decision.judgement, settings.inboundThreshold),
    ...(gap && { acceptedGap: gap }),
  };
}

function recordedWaf(evidence: WafEvidence): RecordedWaf {
  if (evidence.kind === "none") return { evidence: "none", rules: [] };
  if (evidence.kind !== "logged") return { evidence: evidence.kind, note: evidence.reason, rules: [] };
  const interrupting = evidence.rules.find((r) => r.disruptive && r.disruptive.action !== "allowed");
  // The plug-in logs every interruption it carries out; Coraza logs the rule behind it (not for CRS's phase-4 blocks).
  const interruptedBy = evidence.interrupted
    ? { ...evidence.interrupted, ...(interrupting && { ruleId: interrupting.id }) }
    : interrupting?.disruptive
      ? { action: interrupting.disruptive.action, phase: `phase ${interrupting.disruptive.phase}`, ruleId: interrupting.id }
      : undefined;
  const score = evidence.rules.map((r) => INBOUND_SCORE.exec(r.msg ?? "")).map((m) => m?.[1] ?? m?.[2]).find((s) => s !== undefined);
  return {
    evidence: "logged",
    txId: evidence.txId,
    rules: evidence.rules,
    ...(interruptedBy && { interruptedBy }),
    ...(score !== undefined && { inboundScore: Number(score) }),
    ...(!evidence.complete && { note: "the WAF's log for this request was still incomplete when it was judged" }),
  };
}

/** "WAF bypass: sqli in cookie reached the app (HTTP 200); inbound anomaly score 3 < threshold 5; rules matched: 942100" */
function reviewerMessage(
  request: EngineRequest, outcome: Outcome, waf: RecordedWaf, message: string, note: string | undefined, judgement: string, threshold: number | undefined,
): string {
  const what = `${request.class} in ${request.placement}${request.encoding !== "none" ? ` (${request.encoding})` : ""}`;
  const head =
    judgement === "bypass" ? message.replace("the attack reached the app", `${what} reached the app`)
    : judgement === "false-positive" ? message.replace("benign request blocked", `benign ${request.placement} request blocked`)
    : message;
  const parts = [`${head} (${describeOutcome(outcome)})`];
  if (note) parts.push(note);
  if (waf.inboundScore !== undefined && threshold !== undefined)
    parts.push(`inbound anomaly score ${waf.inboundScore} ${waf.inboundScore >= threshold ? ">=" : "<"} threshold ${threshold}`);
  const matched = [...new Set(waf.rules.map((r) => r.id))];
  if (waf.evidence === "logged") parts.push(matched.length > 0 ? `rules matched: ${matched.join(", ")}` : "no rule matched");
  if (waf.interruptedBy) parts.push(`the WAF interrupted it (${waf.interruptedBy.action} in ${waf.interruptedBy.phase}${waf.interruptedBy.ruleId ? `, rule ${waf.interruptedBy.ruleId}` : ""})`);
  return parts.join("; ");
}
