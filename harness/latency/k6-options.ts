/**
 * How the shared definition (scenarios.json) becomes k6 `options.scenarios`: which scenarios run against a
 * given set of targets, and the open model (constant-arrival-rate) built from the definition's `openModel`.
 * Node-free on purpose, like shape-request.ts: the k6 script imports it, and so do the engine and its tests,
 * so both load generators select and shape the same scenarios.
 */
import { parseDuration } from "./duration.ts";

/**
 * A real gateway serves one directive set: the local-only scenarios (direct, waf_seed chosen by Host
 * seed.wafcheck.test, waf_paranoia chosen by Host paranoia.wafcheck.test) would be mislabelled there.
 */
export const REMOTE_SCENARIOS: readonly string[] = ["envoy", "waf_crs", "waf_blocked"];

export interface ScenarioTags {
  target: string;
  shapeGroup: string;
  host?: string;
}

/** A scenario as the definition writes it (k6 keys only). */
export interface DefinedScenario {
  executor: string;
  duration: string;
  tags: ScenarioTags;
  vus?: number;
  rate?: number;
  timeUnit?: string;
  preAllocatedVUs?: number;
  maxVUs?: number;
  startTime?: string;
  gracefulStop?: string;
  exec?: string;
}

/** The definition's `openModel`: k6's constant-arrival-rate keys, shared by every scenario (equal load). */
export interface OpenModelDef {
  rate: number;
  timeUnit?: string;
  preAllocatedVUs: number;
  maxVUs?: number;
}

export interface OpenScenario {
  executor: "constant-arrival-rate";
  rate: number;
  timeUnit: string;
  preAllocatedVUs: number;
  maxVUs?: number;
  duration: string;
  tags: ScenarioTags;
  startTime?: string;
  gracefulStop?: string;
  exec?: string;
}

const LOOPBACK = /^https?:\/\/(\[::1\]|localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d+)?(\/|$)/;

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.test(url);
}

/** Remote: a Host header was given (a gateway's virtual host), or some target is not this machine. */
export function isRemoteRun(host: string | undefined, urls: ReadonlyArray<string | undefined>): boolean {
  return Boolean(host) || urls.some((u) => u !== undefined && u !== "" && !isLoopbackUrl(u));
}

/**
 * The scenarios to run: those whose target has a URL and, against a remote gateway, only REMOTE_SCENARIOS.
 * The same rule as `npm run latency` with WAF_TARGET=<gateway>.
 */
export function selectScenarios(
  scenarios: Record<string, { tags: ScenarioTags }>,
  urlOf: (target: string) => string | undefined,
  remote: boolean,
): { selected: string[]; skipped: Array<{ scenario: string; reason: string }> } {
  const selected: string[] = [];
  const skipped: Array<{ scenario: string; reason: string }> = [];
  for (const [name, s] of Object.entries(scenarios)) {
    if (remote && !REMOTE_SCENARIOS.includes(name)) skipped.push({ scenario: name, reason: "local only (a gateway serves one directive set)" });
    else if (!urlOf(s.tags.target)) skipped.push({ scenario: name, reason: `no URL for target "${s.tags.target}"` });
    else selected.push(name);
  }
  return { selected, skipped };
}

/** Requests per second of an arrival rate given as k6 writes it (rate per timeUnit, default 1s). */
export function ratePerSecond(rate: number, timeUnit = "1s"): number {
  const unitMs = parseDuration(timeUnit);
  if (unitMs === undefined || unitMs <= 0) throw new Error(`timeUnit: not a k6 duration (${timeUnit})`);
  return (rate * 1000) / unitMs;
}

/**
 * A scenario turned into k6's open model with the definition's `openModel`. The engine runs one shape at a time,
 * each at most at its `maxRate`; k6 sends a scenario's shapes in turn from one arrival stream, so the scenario's
 * rate is capped at (number of shapes × the lowest maxRate): no shape arrives faster than its maxRate either.
 */
export function openScenario(s: DefinedScenario, open: OpenModelDef, groupShapes: ReadonlyArray<{ maxRate?: number }>): OpenScenario {
  const wanted = ratePerSecond(open.rate, open.timeUnit);
  const lowest = Math.min(...groupShapes.map((g) => g.maxRate ?? Infinity));
  const cap = groupShapes.length * lowest;
  let rate = open.rate;
  let timeUnit = open.timeUnit ?? "1s";
  if (wanted > cap) {
    // k6 wants an integer rate: per second when the cap is whole, else per minute.
    [rate, timeUnit] = Number.isInteger(cap) ? [cap, "1s"] : [Math.max(1, Math.floor(cap * 60)), "1m"];
  }
  const out: OpenScenario = {
    executor: "constant-arrival-rate",
    rate,
    timeUnit,
    preAllocatedVUs: open.preAllocatedVUs,
    duration: s.duration,
    tags: s.tags,
  };
  if (open.maxVUs !== undefined) out.maxVUs = open.maxVUs;
  if (s.startTime !== undefined) out.startTime = s.startTime;
  if (s.gracefulStop !== undefined) out.gracefulStop = s.gracefulStop;
  if (s.exec !== undefined) out.exec = s.exec;
  return out;
}
