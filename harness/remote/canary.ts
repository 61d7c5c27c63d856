import type { Dispatcher } from "undici";
import { UserError } from "../errors.ts";
import { send, type Outcome, type RequestSpec, type Target } from "../http/index.ts";
import type { LoadedManifest } from "../manifest/index.ts";
import { classify, defaultVerdictPolicy, describeOutcome } from "../verdict/index.ts";
import type { Throttle } from "../engine/index.ts";

/** Manifest annotation naming a canary header (`name: value`) the config blocks, checked besides the seed rule. */
export const CANARY_ANNOTATION = "wafcheck.io/canary-header";
export const CANARY_ABORT = "WAF not active or config mismatch";
export const SEED_CANARY_HEADER = "x-user-type: baned";

const SEED_RULE = /REQUEST_HEADERS:x-user-type\s+"@streq baned"[^]*\bdeny\b/;
const CLIENT_HEADERS: Array<[string, string]> = [
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"],
  ["accept", "application/json"],
];

/** One request that must be blocked: a header (`name: value`) the config denies. */
export interface BannedProbe {
  header: string;
  spec: RequestSpec;
}

export interface Canary {
  normal: RequestSpec;
  /** Every one must get 403: the seed's banned header (when its rule is in the config), then the manifest's canary header. */
  banned: BannedProbe[];
}

/**
 * The requests that prove the WAF is there with the expected config before a remote run is trusted: a normal
 * request must pass (200); the seed's banned header and the manifest's canary header must both be blocked (403).
 * The seed header is checked only when its rule is in the config (otherwise it could never pass); the annotation
 * adds a check, it does not replace the seed's: a gateway running the seed config without the manifest's own
 * rules must fail the canary.
 */
export function canaryFor(manifest: LoadedManifest): Canary {
  const annotations = ((manifest.resource.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<string, string>;
  const headers: string[] = [];
  if (Object.values(manifest.pluginConfig.directives_map).some((set) => set.some((d) => SEED_RULE.test(d)))) headers.push(SEED_CANARY_HEADER);
  const annotated = annotations[CANARY_ANNOTATION];
  if (annotated !== undefined && annotated.trim() !== SEED_CANARY_HEADER) headers.push(annotated.trim());
  if (headers.length === 0)
    throw new UserError(
      `${manifest.source}: no canary: its pluginConfig lacks the seed rule (x-user-type "@streq baned" deny) and metadata.annotations["${CANARY_ANNOTATION}"] is not set (e.g. "x-canary: wafcheck")`,
    );
  return {
    normal: { id: "canary/normal", method: "GET", path: "/get", headers: [...CLIENT_HEADERS] },
    // The seed probe keeps the id canary/banned (dry-run listings and reports name it).
    banned: headers.map((header) => ({ header, spec: bannedSpec(manifest, header, header === SEED_CANARY_HEADER ? "canary/banned" : "canary/manifest-header") })),
  };
}

function bannedSpec(manifest: LoadedManifest, header: string, id: string): RequestSpec {
  const colon = header.indexOf(":");
  if (colon <= 0) throw new UserError(`${manifest.source}: ${CANARY_ANNOTATION}="${header}": expected "name: value"`);
  return { id, method: "GET", path: "/get", headers: [...CLIENT_HEADERS, [header.slice(0, colon).trim(), header.slice(colon + 1).trim()]] };
}

/** The headers a canary checks, for one-line messages: `"x-user-type: baned" and "x-canary: wafcheck"`. */
export function describeBanned(canary: Canary): string {
  return canary.banned.map((b) => `"${b.header}"`).join(" and ");
}

export interface CanaryResult {
  ok: boolean;
  normal: string;
  /** What each banned header got (e.g. HTTP 403). */
  banned: Array<{ header: string; got: string }>;
  /** Why the run must not be trusted (when !ok). */
  reason?: string;
}

/**
 * `banned` holds one outcome per canary.banned probe, in the same order. `blockStatuses`: the target's
 * (targets file), default 403.
 */
export function judgeCanary(canary: Canary, normal: Outcome, banned: readonly Outcome[], blockStatuses: readonly number[] = defaultVerdictPolicy.blockStatuses): CanaryResult {
  const n = describeOutcome(normal);
  const got = canary.banned.map((probe, i) => ({ header: probe.header, got: banned[i] ? describeOutcome(banned[i]) : "not sent" }));
  const result = { normal: n, banned: got };
  if (normal.kind === "error" || banned.some((o) => o.kind === "error"))
    return { ok: false, ...result, reason: `the gateway did not answer (normal: ${n}; ${got.map((g) => `${g.header}: ${g.got}`).join("; ")})` };
  const problems: string[] = [];
  if (normal.status !== 200) problems.push(`a normal GET /get got ${n}, expected HTTP 200`);
  canary.banned.forEach((probe, i) => {
    const outcome = banned[i];
    if (!outcome || classify(outcome, { blockStatuses }) !== "blocked")
      problems.push(`"${probe.header}" got ${got[i]!.got}, expected HTTP ${blockStatuses.join(" or ")} (the plug-in is not loaded, is in DetectionOnly, or runs another config)`);
  });
  return problems.length === 0 ? { ok: true, ...result } : { ok: false, ...result, reason: problems.join("; ") };
}

/** Sends the canary (through the same send path, limits and allowlist as the suites); aborts the run on failure. */
export async function runCanary(input: {
  target: Target;
  dispatcher: Dispatcher;
  manifest: LoadedManifest;
  throttle?: Throttle;
  log: (line: string) => void;
}): Promise<CanaryResult> {
  const canary = canaryFor(input.manifest);
  const go = (spec: RequestSpec) => {
    const fn = () => send(input.target, input.dispatcher, spec, { timeoutMs: 10_000 });
    return input.throttle ? input.throttle.run(fn) : fn();
  };
  const normal = await go(canary.normal);
  const banned: Outcome[] = [];
  for (const probe of canary.banned) banned.push(await go(probe.spec));
  const result = judgeCanary(canary, normal, banned, input.target.blockStatuses);
  if (!result.ok) throw new UserError(`${CANARY_ABORT} on target ${input.target.name}: ${result.reason}; no suite was run`, 3);
  input.log(`canary passed on ${input.target.name}: normal request ${result.normal}, ${result.banned.map((b) => `"${b.header}" ${b.got}`).join(", ")}`);
  return result;
}
