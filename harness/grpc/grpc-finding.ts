import type { LoggedRule } from "../engine/index.ts";
import { GRPC_STATUS_NAMES } from "./grpc-frame.ts";
import { defaultVerdictPolicy } from "../verdict/index.ts";

/**
 * What the Coraza plug-in inspects in gRPC calls (issue 13, item 3): the calls the probe makes, how each is judged,
 * and the report section `grpc` of summary.json. Pure: harness/grpc/grpc-probe.ts does the I/O.
 */

/** Where the payload goes: the protobuf string field, a metadata header (x-search), or the :path (query string). */
export type GrpcPlacement = "body" | "metadata" | "path";
/**
 * Which directive set judges the call (chosen by :authority, harness/envoy/grpc-config.ts): `configured` = the
 * manifest's default set (the project's WAF as it is); `grpc-allowed` = the same with application/grpc allowed by CRS's
 * content-type policy (920420); `grpc-headers-only` = that plus request body inspection off for application/grpc;
 * `baseline` = no WAF (the same Envoy's baseline listener: proves the gRPC route itself works).
 */
export type GrpcMode = "configured" | "grpc-allowed" | "grpc-headers-only" | "baseline";
export type GrpcVerdict = "blocked" | "allowed" | "error";
const WAF_MODES = ["configured", "grpc-allowed", "grpc-headers-only"] as const;
type WafMode = (typeof WAF_MODES)[number];

export interface GrpcCall {
  id: string;
  mode: GrpcMode;
  placement: GrpcPlacement;
  /** sqli, xss, rce, lfi, log4shell; `benign`; `seed-rule` (the tutorial's banned header as gRPC metadata). */
  payloadClass: string;
  payload: string;
  /** Extra metadata sent with the call (the seed-rule call's x-user-type). */
  metadata?: Record<string, string>;
  expect: "block" | "allow";
}

export interface GrpcCallResult extends GrpcCall {
  /** HTTP :status of the response, when one came. */
  status?: number;
  /** grpc-status from the response's headers or trailers. */
  grpcStatus?: number;
  grpcMessage?: string;
  /** The upstream answered this call (its x-received-length header is on the response). */
  reachedUpstream: boolean;
  /** The string the upstream echoed (body placement): what reached the app. */
  echoed?: string;
  /** CRS rules the WAF logged for this call (correlation rules left out); undefined for baseline calls. */
  rules?: Array<Pick<LoggedRule, "id" | "msg" | "data">>;
  /** The plug-in's own "Transaction interrupted" line for this call. */
  interrupted?: { action: string; phase: string };
  /** The WAF's log had no complete entry for the call (no phase-5 line in time). */
  logIncomplete?: boolean;
  error?: string;
  durationMs: number;
}

export interface GrpcCallRow {
  id: string;
  mode: GrpcMode;
  placement: GrpcPlacement;
  payloadClass: string;
  payload: string;
  status: number | null;
  grpcStatus: number | null;
  grpcStatusName: string | null;
  rules: number[];
  /** Rules that matched the payload itself: the call's rules less those its mode's benign call matched and the score evaluation. */
  detectionRules: number[];
  /** The phase the plug-in interrupted the call in (http_request_headers, http_request_body), when it did. */
  interruptedIn: string | null;
  verdict: GrpcVerdict;
  /** As a WAF should judge it (attacks and the seed rule blocked, benign calls allowed); baseline calls: allowed. */
  asExpected: boolean;
  error?: string;
}

export interface GrpcPlacementSummary {
  attacks: number;
  blocked: number;
  /** Attacks whose payload matched a detection rule (not just the noise every call of the mode matches). */
  detected: number;
  detectedClasses: string[];
  detectionRules: number[];
}

export interface GrpcSection {
  measured: true;
  calls: GrpcCallRow[];
  /** The manifest's own set blocks a benign gRPC call, and the rules that did it (920420: content-type policy). */
  contentTypeBlocked: boolean;
  contentTypeRules: number[];
  /** With application/grpc allowed, a benign call is still blocked by the gRPC framing read as a URL-encoded body. */
  framingBlocked: boolean;
  framingRules: number[];
  /** With application/grpc allowed, attacks carried only in the protobuf string field matched detection rules. */
  bodyInspected: boolean;
  /** With body inspection off for gRPC (grpc-headers-only), a benign call went through the WAF to the upstream. */
  benignPassesHeadersOnly: boolean;
  /** Per directive set with gRPC allowed, per placement: attacks blocked and detected. */
  placements: Record<"grpc-allowed" | "grpc-headers-only", Record<GrpcPlacement, GrpcPlacementSummary>>;
  /** The seed rule (x-user-type: baned as metadata) denied the call under every set: the WAF is in the gRPC path. */
  wafInPath: boolean;
  /** The baseline listener (no WAF) carried a benign call to the upstream (grpc-status 0): the gRPC route works. */
  routeWorks: boolean;
  errors: number;
  finding: string;
}

export const GRPC_PAYLOADS: ReadonlyArray<{ payloadClass: string; payload: string; expect: "block" | "allow" }> = [
  { payloadClass: "benign", payload: "wireless headphones", expect: "allow" },
  { payloadClass: "sqli", payload: "' OR 1=1--", expect: "block" },
  { payloadClass: "xss", payload: "<script>alert(1)</script>", expect: "block" },
  { payloadClass: "rce", payload: "; cat /etc/passwd", expect: "block" },
  { payloadClass: "lfi", payload: "../../etc/passwd", expect: "block" },
  { payloadClass: "log4shell", payload: "${jndi:ldap://x/a}", expect: "block" },
];

export const GRPC_PLACEMENTS: readonly GrpcPlacement[] = ["body", "metadata", "path"];
/** The string field's value when the payload is elsewhere (metadata, path). */
export const BENIGN_BODY = "wireless headphones";

/** Every call of the probe: each payload in each placement under each directive set, the seed rule per set, a baseline call. */
export function grpcCalls(): GrpcCall[] {
  const calls: GrpcCall[] = [{ id: "baseline/benign/body", mode: "baseline", placement: "body", payloadClass: "benign", payload: BENIGN_BODY, expect: "allow" }];
  for (const mode of WAF_MODES) {
    calls.push({ id: `${mode}/seed-rule/metadata`, mode, placement: "metadata", payloadClass: "seed-rule", payload: BENIGN_BODY, metadata: { "x-user-type": "baned" }, expect: "block" });
    for (const placement of GRPC_PLACEMENTS)
      for (const p of GRPC_PAYLOADS) calls.push({ id: `${mode}/${p.payloadClass}/${placement}`, mode, placement, ...p });
  }
  return calls;
}

/** Score evaluation (inbound, outbound, correlation) and the seed rule: never about the payload. */
const EVALUATION_RULES = new Set([101, 949110, 949111, 959100, 980170, 980130]);

/** The call's rules that its payload matched: less the evaluation rules and less what the mode's benign call matched (`noise`). */
export function detectionRules(rules: ReadonlyArray<{ id: number }> | undefined, noise: ReadonlySet<number> = new Set()): number[] {
  return [...new Set((rules ?? []).map((r) => r.id).filter((id) => !EVALUATION_RULES.has(id) && !noise.has(id)))].sort((a, b) => a - b);
}

/**
 * One call's verdict. Blocked: the plug-in logged an interruption, or the answer is the WAF's (HTTP 403, or a gRPC
 * PERMISSION_DENIED that the upstream did not send). Allowed: the upstream answered. Anything else (no answer, a
 * reset, Envoy's UNAVAILABLE) is an error, never a verdict.
 */
export function grpcVerdict(r: GrpcCallResult): GrpcVerdict {
  if (r.error !== undefined && r.status === undefined) return "error";
  if (r.interrupted) return "blocked";
  if (r.reachedUpstream) return "allowed";
  if ((r.status !== undefined && defaultVerdictPolicy.blockStatuses.includes(r.status)) || (r.grpcStatus === 7 && r.mode !== "baseline")) return "blocked";
  // The upstream's own error for a :path it has no method for (path placement): the call reached it.
  if (r.grpcStatus === 12 && r.status === 200) return "allowed";
  return "error";
}

/** The rules a mode's benign body call matched (what every call of that mode carries), the seed rule and score evaluation left out. */
function noiseOf(results: readonly GrpcCallResult[], mode: GrpcMode): Set<number> {
  return new Set(detectionRules(results.find((r) => r.mode === mode && r.payloadClass === "benign" && r.placement === "body")?.rules));
}

export function grpcCallRow(r: GrpcCallResult, noise: ReadonlySet<number> = new Set()): GrpcCallRow {
  const verdict = grpcVerdict(r);
  const want = r.mode === "baseline" || r.expect === "allow" ? "allowed" : "blocked";
  return {
    id: r.id,
    mode: r.mode,
    placement: r.placement,
    payloadClass: r.payloadClass,
    payload: r.payload,
    status: r.status ?? null,
    grpcStatus: r.grpcStatus ?? null,
    grpcStatusName: r.grpcStatus === undefined ? null : (GRPC_STATUS_NAMES[r.grpcStatus] ?? String(r.grpcStatus)),
    rules: (r.rules ?? []).map((x) => x.id),
    detectionRules: r.payloadClass === "benign" ? [] : detectionRules(r.rules, noise),
    interruptedIn: r.interrupted?.phase ?? null,
    verdict,
    asExpected: verdict === want,
    ...(r.error !== undefined && { error: r.error }),
  };
}

/** The `grpc` section of summary.json from the probe's results, with its one-sentence finding. */
export function grpcSection(results: readonly GrpcCallResult[]): GrpcSection {
  const noise = new Map(WAF_MODES.map((m) => [m as GrpcMode, noiseOf(results, m)]));
  const rows = results.map((r) => grpcCallRow(r, noise.get(r.mode)));
  const row = (id: string) => rows.find((r) => r.id === id);
  const benignConfigured = rows.filter((r) => r.mode === "configured" && r.payloadClass === "benign");
  const contentTypeBlocked = benignConfigured.some((r) => r.verdict === "blocked");
  const contentTypeRules = ruleUnion(benignConfigured.filter((r) => r.verdict === "blocked"));
  const allowedBenign = row("grpc-allowed/benign/body");
  const framingBlocked = allowedBenign?.verdict === "blocked";
  const framingRules = framingBlocked ? [...(noise.get("grpc-allowed") ?? [])].sort((a, b) => a - b) : [];
  const summarise = (mode: WafMode, placement: GrpcPlacement): GrpcPlacementSummary => {
    const attacks = rows.filter((r) => r.mode === mode && r.placement === placement && r.payloadClass !== "benign" && r.payloadClass !== "seed-rule");
    const detected = attacks.filter((r) => r.detectionRules.length > 0);
    return { attacks: attacks.length, blocked: attacks.filter((r) => r.verdict === "blocked").length, detected: detected.length, detectedClasses: detected.map((r) => r.payloadClass), detectionRules: ruleUnion(detected, "detectionRules") };
  };
  const placements = {
    "grpc-allowed": Object.fromEntries(GRPC_PLACEMENTS.map((p) => [p, summarise("grpc-allowed", p)])),
    "grpc-headers-only": Object.fromEntries(GRPC_PLACEMENTS.map((p) => [p, summarise("grpc-headers-only", p)])),
  } as GrpcSection["placements"];
  const bodyInspected = placements["grpc-allowed"].body.detected > 0;
  const headersOnlyBenign = row("grpc-headers-only/benign/body");
  const benignPassesHeadersOnly = headersOnlyBenign?.verdict === "allowed" && headersOnlyBenign.grpcStatus === 0;
  const seed = WAF_MODES.map((m) => row(`${m}/seed-rule/metadata`)).filter((r) => r !== undefined);
  const wafInPath = seed.length > 0 && seed.every((r) => r.verdict === "blocked" && r.rules.includes(101));
  const baseline = row("baseline/benign/body");
  const routeWorks = baseline?.verdict === "allowed" && baseline.grpcStatus === 0;
  const errors = rows.filter((r) => r.verdict === "error").length;
  const facts = { contentTypeBlocked, contentTypeRules, framingBlocked, framingRules, bodyInspected, benignPassesHeadersOnly, placements, wafInPath, routeWorks, errors };
  return { measured: true, calls: rows, ...facts, finding: findingSentence(facts, benignConfigured) };
}

function ruleUnion(rows: readonly GrpcCallRow[], key: "rules" | "detectionRules" = "rules"): number[] {
  return [...new Set(rows.flatMap((r) => r[key]))].sort((a, b) => a - b);
}

function findingSentence(f: Omit<GrpcSection, "measured" | "calls" | "finding">, benign: GrpcCallRow[]): string {
  if (!f.routeWorks) return "gRPC was not measured: a benign call through the no-WAF listener did not reach the gRPC upstream with grpc-status 0 (see calls[].error).";
  if (!f.wafInPath) return "gRPC was not measured: the seed rule (x-user-type: baned as gRPC metadata) did not deny every call, so the WAF is not in the gRPC path.";
  const per = (mode: "grpc-allowed" | "grpc-headers-only", p: GrpcPlacement) => {
    const s = f.placements[mode][p];
    return `${p} ${s.detected}/${s.attacks}${s.detectedClasses.length && s.detected < s.attacks ? ` (${s.detectedClasses.join(", ")})` : ""}`;
  };
  const parts = [
    f.contentTypeBlocked
      ? `With the manifest's own settings every gRPC call is blocked, benign ones too (${describeBlock(benign)}): CRS's content-type policy does not allow application/grpc`
      : "With the manifest's own settings benign gRPC calls pass",
    f.bodyInspected
      ? `with application/grpc allowed, CRS does see protobuf payloads, but only as raw bytes (CRS 901340 forces the URL-encoded body processor on the binary frame)${f.framingBlocked ? `, so the framing itself blocks every call (rules ${f.framingRules.join(", ")}: the length prefix's NUL bytes and the 0x0a field tag read as a line feed)` : ""}`
      : "with application/grpc allowed, CRS does NOT see protobuf payloads: no attack carried only in the protobuf string field matched a detection rule",
    `attacks detected per placement: ${GRPC_PLACEMENTS.map((p) => per("grpc-allowed", p)).join(", ")}`,
    `with body inspection off for gRPC${f.benignPassesHeadersOnly ? " (benign calls then pass)" : ""}: ${GRPC_PLACEMENTS.map((p) => `${p} ${f.placements["grpc-headers-only"][p].blocked}/${f.placements["grpc-headers-only"][p].attacks} blocked`).join(", ")}`,
  ];
  return `${parts.join("; ")}${f.errors ? `; ${f.errors} call(s) ended in an error` : ""}.`;
}

function describeBlock(rows: GrpcCallRow[]): string {
  const blocked = rows.filter((r) => r.verdict === "blocked");
  const statuses = [...new Set(blocked.map((r) => `HTTP ${r.status ?? "–"}${r.grpcStatus !== null ? ` with grpc-status ${r.grpcStatus}${r.grpcStatusName ? ` ${r.grpcStatusName}` : ""}` : ""}`))].join("; ");
  const rules = ruleUnion(blocked);
  return `${statuses}${rules.length ? `, rules ${rules.join(", ")}` : ""}`;
}
