/** From the soak's windows to its figures and gates. Pure: no I/O, no clock. */
import { restartsIn, type EnvoyVmReading } from "./envoy-vm.ts";
import { fitSlope, quantileOfSorted } from "./stats.ts";

/** One window of the soak (a few seconds of load), as recorded while it ran. */
export interface SoakWindow {
  index: number;
  /** Seconds since the load started, at the window's end. */
  endSec: number;
  /** Requests answered or failed since the load started, at the window's end. */
  requests: number;
  /** Requests answered or failed in this window. */
  windowRequests: number;
  /** Envoy container's memory as `docker stats` shows it (usage minus inactive file cache), read at the window's end. */
  memoryBytes: number | null;
  /** Envoy container's anonymous memory (cgroup RSS). */
  rssBytes: number | null;
  /** Envoy's admin account at the window's end (uptime, wasm VMs, its own heap); null where admin did not answer. */
  vm: EnvoyVmReading | null;
  /** RSS minus Envoy's own heap: the wasm VMs' memory and code (Envoy does not report a VM's memory itself). */
  outsideHeapBytes: number | null;
  /** Envoy's CPU milliseconds per 1,000 requests of this window. */
  cpuMsPer1k: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Transport failures (refused, reset, timed out). */
  errors: number;
  /** Answers with another status than the shape expects (a 5xx, a benign request blocked, an attack let through). */
  unexpected: number;
  /** Of those, 5xx answers (a crashed or out-of-memory plug-in VM answers 5xx). */
  status5xx: number;
  /** Arrivals skipped because too many requests were outstanding: the stack could not keep up with the rate. */
  dropped: number;
}

export interface WindowWithSamples extends SoakWindow {
  /** Latencies (ms, from each request's scheduled start) of the window's answers with the expected status. */
  latenciesMs: number[];
}

/** Decimal megabytes: the unit of the growth figures and of --max-growth-mb-per-100k. */
export const MB = 1e6;

export interface Growth {
  /** Least-squares slope of memory over cumulative requests, in MB per 100,000 requests. */
  mbPer100k: number | null;
  /** Its 95 % interval (slope ± t(0.975, n − 2) × standard error). */
  ci95: [number, number] | null;
  /** Windows in the fit (warm-up excluded). */
  n: number;
  /** The slope's standard error (MB per 100k), for comparing two soaks; null where there is no interval. */
  se?: number | null;
}

export interface SoakFigures {
  requests: number;
  windows: number;
  warmupWindows: number;
  /** Growth of Envoy's memory (docker stats' figure). */
  growth: Growth;
  /** Growth of Envoy's anonymous memory (RSS), where the engine reports it. */
  rssGrowth: Growth;
  /** Growth of the memory outside Envoy's own heap: the plug-in's VMs. */
  outsideHeapGrowth: Growth;
  /** Envoy restarts (uptime went back), wasm VMs created after the first window, plug-in VM reloads. */
  restarts: { envoy: number; vmsCreated: number; vmReloads: number; total: number };
  /** p99 of the last quarter of the post-warm-up windows over that of the first quarter (pooled samples). */
  p99Drift: { firstP99Ms: number | null; lastP99Ms: number | null; ratio: number | null; firstN: number; lastN: number };
  /** Envoy's CPU per 1,000 requests over the post-warm-up windows (median of the windows). */
  cpuMsPer1k: number | null;
  errors: { transport: number; unexpectedStatus: number; status5xx: number; dropped: number };
  memoryStartBytes: number | null;
  memoryEndBytes: number | null;
}

/** Windows before this index are warm-up: a fifth of them (at least one), so caches, JIT and the Go heap settle. */
export function warmupWindowsOf(windows: number, fraction: number): number {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`warm-up is a fraction 0..1 (got ${fraction})`);
  return Math.min(windows, Math.max(1, Math.round(windows * fraction)));
}

/** Quarters need this many samples each for a p99 (at least 5 beyond it, as the latency report requires). */
const MIN_P99_SAMPLES = 500;

export function analyseSoak(windows: readonly WindowWithSamples[], warmupFraction: number): SoakFigures {
  const warmup = warmupWindowsOf(windows.length, warmupFraction);
  const steady = windows.slice(warmup);
  const growthOf = (pick: (w: SoakWindow) => number | null): Growth => {
    const points = steady.filter((w) => pick(w) !== null);
    const fit = fitSlope(points.map((w) => w.requests / 1e5), points.map((w) => pick(w)! / MB));
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      mbPer100k: Number.isFinite(fit.slope) ? round(fit.slope) : null,
      ci95: fit.ci95 ? [round(fit.ci95[0]), round(fit.ci95[1])] : null,
      n: fit.n,
      se: fit.slopeSe === null ? null : round(fit.slopeSe),
    };
  };
  const quarter = Math.floor(steady.length / 4);
  const pooledP99 = (ws: readonly WindowWithSamples[]) => {
    const sorted = ws.flatMap((w) => w.latenciesMs).sort((a, b) => a - b);
    return { p99: sorted.length >= MIN_P99_SAMPLES ? quantileOfSorted(sorted, 0.99) : null, n: sorted.length };
  };
  const first = pooledP99(quarter > 0 ? steady.slice(0, quarter) : []);
  const last = pooledP99(quarter > 0 ? steady.slice(steady.length - quarter) : []);
  const cpu = steady.map((w) => w.cpuMsPer1k).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const sum = (pick: (w: SoakWindow) => number) => windows.reduce((s, w) => s + pick(w), 0);
  const memories = windows.map((w) => w.memoryBytes).filter((x): x is number => x !== null);
  return {
    requests: windows.at(-1)?.requests ?? 0,
    windows: windows.length,
    warmupWindows: warmup,
    growth: growthOf((w) => w.memoryBytes),
    rssGrowth: growthOf((w) => w.rssBytes),
    outsideHeapGrowth: growthOf((w) => w.outsideHeapBytes),
    restarts: restartsIn(windows.map((w) => w.vm)),
    p99Drift: {
      firstP99Ms: first.p99 === null ? null : round3(first.p99),
      lastP99Ms: last.p99 === null ? null : round3(last.p99),
      ratio: first.p99 !== null && last.p99 !== null && first.p99 > 0 ? Math.round((last.p99 / first.p99) * 1000) / 1000 : null,
      firstN: first.n,
      lastN: last.n,
    },
    cpuMsPer1k: cpu.length ? round3(quantileOfSorted(cpu, 0.5)!) : null,
    errors: { transport: sum((w) => w.errors), unexpectedStatus: sum((w) => w.unexpected), status5xx: sum((w) => w.status5xx), dropped: sum((w) => w.dropped) },
    memoryStartBytes: memories[0] ?? null,
    memoryEndBytes: memories.at(-1) ?? null,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export interface SoakGateOptions {
  maxGrowthMbPer100k: number;
  maxP99Drift: number;
}

export interface GateResult {
  /** `restarts`, `errors`, `max-growth-mb-per-100k`, `max-p99-drift`. */
  gate: string;
  ok: boolean;
  line: string;
}

/**
 * The soak's gates. Growth fails only when its interval's lower bound is above the limit (noise cannot fail it); a
 * figure that could not be estimated fails (a soak that measured nothing passes nothing); any transport error,
 * unexpected status or dropped arrival is an infrastructure failure.
 */
export function soakGates(f: SoakFigures, options: SoakGateOptions): GateResult[] {
  const { transport, unexpectedStatus, status5xx, dropped } = f.errors;
  const bad = transport + unexpectedStatus + dropped;
  const growth = f.growth;
  const drift = f.p99Drift;
  const interval = growth.ci95 ? `[${growth.ci95[0]}, ${growth.ci95[1]}]` : "no interval";
  const r = f.restarts;
  return [
    {
      gate: "restarts",
      ok: r.total === 0,
      line:
        r.total === 0
          ? "ok   restarts: none (Envoy's uptime kept rising, no wasm VM created or reloaded after the first window)"
          : `FAIL restarts: ${r.envoy} Envoy restarts, ${r.vmsCreated} wasm VMs created after the first window, ${r.vmReloads} plug-in VM reloads: the WAF did not run as one steady process`,
    },
    {
      gate: "errors",
      ok: bad === 0,
      line:
        bad === 0
          ? `ok   errors: none in ${f.requests} requests`
          : `FAIL errors: ${transport} transport errors, ${unexpectedStatus} unexpected statuses (${status5xx} of them 5xx), ${dropped} dropped arrivals in ${f.requests} requests: an infrastructure failure (a crashed or out-of-memory plug-in VM answers 5xx)`,
    },
    growth.ci95 === null
      ? { gate: "max-growth-mb-per-100k", ok: false, line: `FAIL max-growth-mb-per-100k: growth not estimable (${growth.n} windows after warm-up; 3 are needed)` }
      : {
          gate: "max-growth-mb-per-100k",
          ok: growth.ci95[0] <= options.maxGrowthMbPer100k,
          line: `${growth.ci95[0] <= options.maxGrowthMbPer100k ? "ok  " : "FAIL"} max-growth-mb-per-100k: memory grows ${growth.mbPer100k} MB per 100k requests, 95 % interval ${interval} (lower bound against the limit ${options.maxGrowthMbPer100k})`,
        },
    drift.ratio === null
      ? { gate: "max-p99-drift", ok: false, line: `FAIL max-p99-drift: p99 drift not estimable (first quarter n=${drift.firstN}, last quarter n=${drift.lastN}; ${MIN_P99_SAMPLES} each are needed)` }
      : {
          gate: "max-p99-drift",
          ok: drift.ratio <= options.maxP99Drift,
          line: `${drift.ratio <= options.maxP99Drift ? "ok  " : "FAIL"} max-p99-drift: p99 ${drift.firstP99Ms} ms (first quarter, n=${drift.firstN}) → ${drift.lastP99Ms} ms (last quarter, n=${drift.lastN}), ×${drift.ratio} (limit ×${options.maxP99Drift})`,
        },
  ];
}
