/**
 * The soak's load: a constant arrival rate (open model: request i is due at start + i/rate, its latency counted from
 * that due time, so a stall cannot hide), bounded by a request count and a duration, cut into windows. At each
 * window's end Envoy's CPU counter and memory are read. Loopback origins only.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { assertLoopbackOrigin, errorCode, type buildRequest } from "../latency/index.ts";
import type { WindowWithSamples } from "./analysis.ts";
import type { EnvoyVmReading } from "./envoy-vm.ts";
import { shapeIndexFor } from "./mix.ts";
import { quantileOfSorted } from "./stats.ts";

type BuiltRequest = ReturnType<typeof buildRequest>;

export interface SoakShape {
  name: string;
  request: BuiltRequest;
  expectStatus: number;
}

export interface SoakLoadOptions {
  origin: string;
  benign: readonly SoakShape[];
  attacks: readonly SoakShape[];
  attackShare: number;
  ratePerSec: number;
  maxRequests: number;
  maxDurationMs: number;
  windowMs: number;
  maxInFlight: number;
  connections: number;
  requestTimeoutMs: number;
  /** Envoy's cumulative CPU seconds. */
  cpuSeconds: () => Promise<number>;
  /** Envoy's memory now. */
  memory: () => Promise<{ memoryBytes: number; rssBytes?: number }>;
  /** Envoy's own account of its uptime, wasm VMs and heap (admin /stats and /memory). */
  vm?: () => Promise<EnvoyVmReading>;
  /** Stop early once a window's failures (errors, unexpected statuses, drops) reach this share of it. */
  stopAtFailureShare: number;
  onWindow?: (window: WindowWithSamples) => void;
  signal?: AbortSignal;
}

export interface SoakLoadResult {
  windows: WindowWithSamples[];
  statusCounts: Record<string, number>;
  errorCodes: Record<string, number>;
  /** The first few answers with an unexpected status, as evidence (Envoy says why it answered 5xx in its body). */
  unexpectedSamples: Array<{ shape: string; status: number; body: string }>;
  /** count, duration, failures (stopAtFailureShare), aborted. */
  stoppedBy: "count" | "duration" | "failures" | "aborted";
  elapsedMs: number;
}

export async function runSoakLoad(o: SoakLoadOptions): Promise<SoakLoadResult> {
  assertLoopbackOrigin(o.origin);
  const pool = new Pool(o.origin, {
    connections: o.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: o.requestTimeoutMs,
    bodyTimeout: o.requestTimeoutMs,
    connect: { timeout: o.requestTimeoutMs },
  });
  const statusCounts: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const unexpectedSamples: SoakLoadResult["unexpectedSamples"] = [];
  const windows: WindowWithSamples[] = [];
  let current = emptyAccumulator();
  let completed = 0;
  let stoppedBy: SoakLoadResult["stoppedBy"] = "count";
  const start = performance.now();
  let cpuBefore = await o.cpuSeconds();
  let windowStart = start;

  const closeWindow = async () => {
    const acc = current;
    current = emptyAccumulator();
    const now = performance.now();
    const requests = completed;
    const [cpu, memory, vm] = await Promise.all([o.cpuSeconds().catch(() => null), o.memory().catch(() => null), o.vm ? o.vm().catch(() => null) : null]);
    const windowRequests = acc.done;
    const sorted = acc.latencies.sort((a, b) => a - b);
    const cpuMs = cpu === null ? null : (cpu - cpuBefore) * 1000;
    if (cpu !== null) cpuBefore = cpu;
    const window: WindowWithSamples = {
      index: windows.length,
      endSec: Math.round((now - start) / 10) / 100,
      requests,
      windowRequests,
      memoryBytes: memory?.memoryBytes ?? null,
      rssBytes: memory?.rssBytes ?? null,
      vm,
      outsideHeapBytes: outsideHeap(memory, vm),
      cpuMsPer1k: cpuMs !== null && windowRequests > 0 ? Math.round((cpuMs / windowRequests) * 1000 * 10) / 10 : null,
      p50Ms: round3(quantileOfSorted(sorted, 0.5)),
      p99Ms: round3(quantileOfSorted(sorted, 0.99)),
      errors: acc.errors,
      unexpected: acc.unexpected,
      status5xx: acc.status5xx,
      dropped: acc.dropped,
      latenciesMs: sorted,
    };
    windows.push(window);
    o.onWindow?.(window);
    windowStart = now;
    return window;
  };

  const send = async (shape: SoakShape, due: number) => {
    const acc = () => current; // the window the answer lands in
    try {
      const response = await pool.request({ path: shape.request.path, method: shape.request.method, headers: shape.request.headers, body: shape.request.body });
      const unexpected = response.statusCode !== shape.expectStatus;
      if (unexpected && unexpectedSamples.length < MAX_UNEXPECTED_SAMPLES)
        unexpectedSamples.push({ shape: shape.name, status: response.statusCode, body: (await response.body.text()).slice(0, 300) });
      else await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      const elapsed = performance.now() - due;
      const status = String(response.statusCode);
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      const a = acc();
      if (unexpected) {
        a.unexpected++;
        if (response.statusCode >= 500) a.status5xx++;
      } else a.latencies.push(elapsed);
    } catch (error) {
      acc().errors++;
      const code = errorCode(error);
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    } finally {
      acc().done++;
      completed++;
    }
  };

  const intervalMs = 1000 / o.ratePerSec;
  const inFlight = new Set<Promise<void>>();
  const deadline = start + o.maxDurationMs;
  let closing: Promise<WindowWithSamples> | undefined;
  try {
    for (let i = 0; i < o.maxRequests; i++) {
      if (o.signal?.aborted) {
        stoppedBy = "aborted";
        break;
      }
      const due = start + i * intervalMs;
      if (due >= deadline) {
        stoppedBy = "duration";
        break;
      }
      const wait = due - performance.now();
      if (wait >= 1) await sleep(Math.floor(wait));
      if (performance.now() - windowStart >= o.windowMs && !closing) {
        closing = closeWindow();
        void closing.then((w) => {
          closing = undefined;
          const failures = w.errors + w.unexpected + w.dropped;
          if (w.windowRequests + w.dropped > 0 && failures / (w.windowRequests + w.dropped) >= o.stopAtFailureShare) stoppedBy = "failures";
        });
      }
      if ((stoppedBy as SoakLoadResult["stoppedBy"]) === "failures") break;
      if (inFlight.size >= o.maxInFlight) {
        current.dropped++;
        continue;
      }
      const pick = shapeIndexFor(i, o.attackShare, o.benign.length, o.attacks.length);
      const shape = (pick.attack ? o.attacks : o.benign)[pick.index]!;
      const pending = send(shape, Math.min(due, performance.now()));
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
    }
    await Promise.all(inFlight);
    if (closing) await closing;
    if (current.done + current.dropped > 0) await closeWindow();
  } finally {
    await pool.destroy();
  }
  return { windows, statusCounts, errorCodes, unexpectedSamples, stoppedBy, elapsedMs: Math.round(performance.now() - start) };
}

const MAX_UNEXPECTED_SAMPLES = 5;

/** The container's memory outside Envoy's own heap: the wasm VMs (V8 isolates, linear memories, code). */
function outsideHeap(memory: { memoryBytes: number; rssBytes?: number } | null, vm: EnvoyVmReading | null): number | null {
  const resident = memory?.rssBytes ?? memory?.memoryBytes;
  return resident === undefined || vm?.heapPhysicalBytes == null ? null : Math.max(0, resident - vm.heapPhysicalBytes);
}

interface Accumulator {
  done: number;
  latencies: number[];
  errors: number;
  unexpected: number;
  status5xx: number;
  dropped: number;
}

function emptyAccumulator(): Accumulator {
  return { done: 0, latencies: [], errors: 0, unexpected: 0, status5xx: 0, dropped: 0 };
}

function round3(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}
