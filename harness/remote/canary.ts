import type { Dispatcher } from "undici";
import { UserError } from "../errors.ts";
import type { Outcome, RequestSpec } from "../http/request.ts";
import { send } from "../http/send.ts";
import type { LoadedManifest } from "../manifest/manifest.ts";
import type { Target } from "../targets/target.ts";
import { classify, describeOutcome } from "../verdict/verdict.ts";
import type { Throttle } from "./throttle.ts";

/** Manifest annotation naming another canary header (`name: value`) when the seed rule is not in the config. */
export const CANARY_ANNOTATION = "wafcheck.io/canary-header";
export const CANARY_ABORT = "WAF not active or config mismatch";

const SEED_RULE = /REQUEST_HEADERS:x-user-type\s+"@streq baned"[^]*\bdeny\b/;
const CLIENT_HEADERS: Array<[string, string]> = [
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"],
  ["accept", "application/json"],
];

export interface Canary {
  normal: RequestSpec;
  banned: RequestSpec;
  /** `name: value` of the header that must be blocked. */
  header: string;
}

/**
 * The two requests that prove the WAF is there with the expected config before a remote run is trusted:
 * a normal request must pass (200) and the seed's banned header (or the manifest's canary header) must be
 * blocked (403).
 */
export function canaryFor(manifest: LoadedManifest): Canary {
  const annotations = ((manifest.resource.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<string, string>;
  let header = annotations[CANARY_ANNOTATION];
  if (!header) {
    const hasSeed = Object.values(manifest.pluginConfig.directives_map).some((set) => set.some((d) => SEED_RULE.test(d)));
    if (!hasSeed)
      throw new UserError(
        `${manifest.source}: no canary: its pluginConfig lacks the seed rule (x-user-type "@streq baned" deny) and metadata.annotations["${CANARY_ANNOTATION}"] is not set (e.g. "x-canary: wafcheck")`,
      );
    header = "x-user-type: baned";
  }
  const colon = header.indexOf(":");
  if (colon <= 0) throw new UserError(`${manifest.source}: ${CANARY_ANNOTATION}="${header}": expected "name: value"`);
  const pair: [string, string] = [header.slice(0, colon).trim(), header.slice(colon + 1).trim()];
  return {
    header,
    normal: { id: "canary/normal", method: "GET", path: "/get", headers: [...CLIENT_HEADERS] },
    banned: { id: "canary/banned", method: "GET", path: "/get", headers: [...CLIENT_HEADERS, pair] },
  };
}

export interface CanaryResult {
  ok: boolean;
  normal: string;
  banned: string;
  /** Why the run must not be trusted (when !ok). */
  reason?: string;
}

export function judgeCanary(canary: Canary, normal: Outcome, banned: Outcome): CanaryResult {
  const n = describeOutcome(normal);
  const b = describeOutcome(banned);
  const problems: string[] = [];
  if (normal.kind === "error" || banned.kind === "error")
    return { ok: false, normal: n, banned: b, reason: `the gateway did not answer (normal: ${n}; ${canary.header}: ${b})` };
  if (normal.status !== 200) problems.push(`a normal GET /get got ${n}, expected HTTP 200`);
  if (classify(banned) !== "blocked") problems.push(`"${canary.header}" got ${b}, expected HTTP 403 (the plug-in is not loaded, is in DetectionOnly, or runs another config)`);
  return problems.length === 0 ? { ok: true, normal: n, banned: b } : { ok: false, normal: n, banned: b, reason: problems.join("; ") };
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
  const banned = await go(canary.banned);
  const result = judgeCanary(canary, normal, banned);
  if (!result.ok) throw new UserError(`${CANARY_ABORT} on target ${input.target.name}: ${result.reason}; no suite was run`, 3);
  input.log(`canary passed on ${input.target.name}: normal request ${result.normal}, "${canary.header}" ${result.banned}`);
  return result;
}
