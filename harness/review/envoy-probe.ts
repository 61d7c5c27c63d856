import type { Dispatcher } from "undici";
import { createDispatcher, send, type RequestSpec, type Target } from "../http/index.ts";
import { quantileSorted } from "../latency/index.ts";
import type { LoadedManifest } from "../manifest/index.ts";
import { localTarget } from "../targets/index.ts";
import { PluginLoadError, startLocalStack, type StackOptions } from "../stack/index.ts";

/** What one Envoy version did with the plug-in and the manifest. */
export interface EnvoyProbe {
  version: string;
  loads: boolean;
  /** Envoy's own words when the plug-in did not load. */
  error?: string;
  /** Statuses of GET /get (expected 200) and GET /get with `x-user-type: baned` (expected 403); 0: no response. */
  conformance?: { normal: number; banned: number };
  /** p50 of the WAF listener minus p50 of the same Envoy's no-WAF listener, sequential GET /get on keep-alive. */
  p50OverheadMs?: number;
  /** How many timed pairs the overhead figure rests on (fewer than asked when the time budget ran out). */
  overheadSamples?: number;
}

export interface ProbeOptions extends Omit<StackOptions, "manifest" | "envoyVersion"> {
  /** Timed GET /get pairs (WAF, baseline), interleaved; default 200. */
  samples?: number;
  /** Wall-clock cap on the timed loop; default 20 s. */
  timeBudgetMs?: number;
}

const WARMUP = 20;
const GET: RequestSpec = { id: "envoy-probe/get", method: "GET", path: "/get", headers: [] };
const BANNED: RequestSpec = { id: "envoy-probe/banned", method: "GET", path: "/get", headers: [["x-user-type", "baned"]] };

/**
 * Starts the local stack on Envoy `version` with `manifest`, checks the seed rule and measures the WAF's p50
 * overhead; always stops the stack. A plug-in that does not load on this Envoy is a result (loads: false with
 * Envoy's words), not a throw; any other failure (no such version, Docker trouble) throws.
 */
export async function probeEnvoyVersion(version: string, manifest: LoadedManifest, options: ProbeOptions = {}): Promise<EnvoyProbe> {
  const { samples = 200, timeBudgetMs = 20_000, ...stackOptions } = options;
  const log = options.log ?? (() => {});
  const stack = await startLocalStack({ ...stackOptions, manifest, envoyVersion: version }).catch((error: unknown) => {
    if (error instanceof PluginLoadError) return error;
    throw error;
  });
  if (stack instanceof PluginLoadError) return { version, loads: false, error: stack.envoyError };
  // The stack's ports are published on 127.0.0.1: nothing else may be sent to (send checks the allowlist).
  const local = localTarget(stack.info());
  const target = { ...local, allowlist: ["127.0.0.1", local.hostHeader!] };
  const dispatcher = createDispatcher({ ...target, concurrency: 1 });
  try {
    const status = async (spec: RequestSpec) => {
      const outcome = await send(target, dispatcher, spec, { timeoutMs: 5_000 });
      return outcome.kind === "response" ? outcome.status : 0;
    };
    const conformance = { normal: await status(GET), banned: await status(BANNED) };
    const started = performance.now();
    const overhead = await measureOverhead(target, dispatcher, stack.baselineUrl, samples, timeBudgetMs);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`Envoy ${version}: /get ${conformance.normal}, banned ${conformance.banned}; p50 overhead ${overhead.p50OverheadMs ?? "-"} ms over ${overhead.overheadSamples} pairs (${seconds} s)`);
    return { version, loads: true, conformance, ...overhead };
  } finally {
    await dispatcher.close();
    await stack.stop();
  }
}

/** Interleaved sequential GET /get on the WAF and the baseline listener; pairs where either is not a 200 are dropped. */
async function measureOverhead(target: Target, dispatcher: Dispatcher, baselineUrl: string, samples: number, timeBudgetMs: number) {
  const waf: number[] = [];
  const baseline: number[] = [];
  const timed = async (baseUrl: string | undefined) => {
    const outcome = await send(target, dispatcher, GET, { timeoutMs: 5_000, baseUrl });
    return outcome.kind === "response" && outcome.status === 200 ? outcome.elapsedMs : undefined;
  };
  const deadline = performance.now() + timeBudgetMs;
  // The first requests pay for connections and the plug-in's first transactions.
  for (let i = 0; i < WARMUP + samples && performance.now() < deadline; i++) {
    const w = await timed(undefined);
    const b = await timed(baselineUrl);
    if (i < WARMUP || w === undefined || b === undefined) continue;
    waf.push(w);
    baseline.push(b);
  }
  const p50OverheadMs = p50Overhead(waf, baseline);
  return { ...(p50OverheadMs !== undefined && { p50OverheadMs }), overheadSamples: waf.length };
}

/** p50(waf) − p50(baseline) in ms, rounded to µs; undefined without samples. */
export function p50Overhead(waf: number[], baseline: number[]): number | undefined {
  if (waf.length === 0 || baseline.length === 0) return undefined;
  const p50 = (xs: number[]) => quantileSorted([...xs].sort((a, b) => a - b), 0.5);
  return Math.round((p50(waf) - p50(baseline)) * 1000) / 1000;
}
