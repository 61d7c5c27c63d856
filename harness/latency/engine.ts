/**
 * The latency load engine (undici). A cell is one scenario × one request shape against one origin.
 * Cells run one at a time in short blocks, interleaved in seeded-random order, so drift of the
 * machine (thermal, noisy neighbours, GC) hits every cell alike and cancels out of deltas.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { UserError } from "../errors.ts";
import { mulberry32, shuffled } from "./prng.ts";
import type { BuiltRequest } from "./shape-request.ts";

/** closed: N virtual users each send, wait, repeat. open: a fixed arrival rate, whatever the server does. */
export type LoadModel = { kind: "closed"; vus: number } | { kind: "open"; ratePerSec: number };

export interface CellSpec {
  id: string;
  scenario: string;
  shape: string;
  /** Scenario tags plus `shape` (threshold filters match on these). */
  tags: Record<string, string>;
  origin: string;
  /** Speak HTTP/2 (negotiated by ALPN: an https origin); its connections are its own, apart from HTTP/1.1 cells'. */
  http2?: boolean;
  request: BuiltRequest;
  expectStatus: number;
  /** Samples to keep (warm-up excluded) ... */
  samples: number;
  /** ... or stop once the cell has spent this long, whichever comes first. */
  timeBudgetMs: number;
  model: LoadModel;
}

export interface EngineOptions {
  seed: number;
  order: "random" | "round-robin";
  /** Length of one block of a cell before the next cell gets the machine. */
  blockMs: number;
  /** Discarded at a cell's first block (connections, caches, JIT still warming). */
  warmupSamples: number;
  /** Discarded at every block (the switch from another cell disturbs the first requests). */
  blockWarmupSamples: number;
  /** Keep-alive connections per origin. */
  connections: number;
  /** Open model: more outstanding requests than this are dropped and counted, not queued forever. */
  maxInFlight: number;
  requestTimeoutMs: number;
  /** Non-loopback origins the caller has checked against a target's allowlist (remote gateways). */
  allowedOrigins?: readonly string[];
  /** TLS settings for https origins (a gateway's CA, SNI, or an explicit insecure opt-in). */
  tls?: { rejectUnauthorized?: boolean; ca?: Buffer; servername?: string };
  /** Hard stop for the whole run; defaults to the sum of cell budgets plus slack. */
  maxRunMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Reads a cumulative CPU counter (seconds) of the server a cell loads, before and after each of its blocks: cells
   * take turns, so each block's CPU is its cell's alone (e.g. two configurations on one Envoy).
   */
  meterCpuSeconds?: (cell: CellSpec) => Promise<number>;
  /** Cap on the samples one block keeps, so a fast cell still spreads over several blocks (rounds). */
  maxSamplesPerBlock?: number;
  /**
   * Cells with the same key run back to back within a round (in the round's random order among themselves), so
   * cells that are compared with each other are measured moments apart.
   */
  adjacentBy?: (cell: CellSpec) => string;
}

export type ProgressEvent =
  | { kind: "block"; cell: string; collected: number; target: number; spentMs: number; budgetMs: number }
  | { kind: "round"; round: number; activeCells: number; collected: number; target: number; elapsedMs: number };

export type StopReason = "count" | "time" | "run-limit" | "aborted";

export interface CellResult {
  spec: CellSpec;
  /** Latencies (ms) of responses with the expected status, warm-up excluded. */
  samplesMs: number[];
  /** Requests sent (warm-up included); every one ends as a sample, warm-up, mismatch or error. */
  attempts: number;
  warmupDiscarded: number;
  /** Responses whose status was not the expected one: never part of the latency samples. */
  mismatches: number;
  statusCounts: Record<string, number>;
  /** Transport failures: refused, reset, timed out. */
  errors: number;
  errorCodes: Record<string, number>;
  /** Open model only: arrivals skipped because maxInFlight requests were outstanding. */
  dropped: number;
  spentMs: number;
  blocks: number;
  stoppedBy: StopReason | null;
  /** Samples collected by the end of each block, in order: how the samples split into the run's interleaved rounds. */
  blockEnds: number[];
  /** With meterCpuSeconds: each block's CPU seconds and requests sent, in order. */
  cpuBlocks: Array<{ cpuSeconds: number; requests: number }>;
}

export const defaultEngineOptions: EngineOptions = {
  seed: 1,
  order: "random",
  blockMs: 500,
  warmupSamples: 20,
  blockWarmupSamples: 2,
  connections: 16,
  maxInFlight: 256,
  requestTimeoutMs: 5000,
};

/** Load goes to this machine only: a latency run is a load test, never aimed at someone else's server. */
export function assertLoopbackOrigin(origin: string): void {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    throw new UserError(`not a URL: ${origin}`);
  }
  if (host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return;
  throw new UserError(`refusing to send load to ${origin}: only loopback targets (127.0.0.0/8, localhost, [::1]) are allowed`);
}

export async function runCells(cells: readonly CellSpec[], options: EngineOptions): Promise<CellResult[]> {
  for (const cell of cells) if (!options.allowedOrigins?.includes(cell.origin)) assertLoopbackOrigin(cell.origin);
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string, http2 = false) => {
    const key = `${http2 ? "h2" : "h1"} ${origin}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        allowH2: http2,
        connections: options.connections,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        keepAliveMaxTimeout: 120_000,
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
        connect: { timeout: options.requestTimeoutMs, ...options.tls },
      });
      pools.set(key, pool);
    }
    return pool;
  };

  const results = cells.map(emptyResult);
  const random = mulberry32(options.seed);
  const started = performance.now();
  const totalBudget = cells.reduce((sum, c) => sum + c.timeBudgetMs, 0);
  const runDeadline = started + (options.maxRunMs ?? totalBudget * 1.5 + 10_000);
  const target = cells.reduce((sum, c) => sum + c.samples, 0);

  try {
    for (let round = 0; results.some((r) => r.stoppedBy === null); round++) {
      const active = results.filter((r) => r.stoppedBy === null);
      const shuffledOrder = options.order === "random" ? shuffled(active, random) : rotate(active, round);
      const order = options.adjacentBy ? groupedInOrder(shuffledOrder, (r) => options.adjacentBy!(r.spec)) : shuffledOrder;
      for (const result of order) {
        if (options.signal?.aborted) result.stoppedBy = "aborted";
        else if (performance.now() >= runDeadline) result.stoppedBy = "run-limit";
        else await meteredBlock(result, () => runBlock(result, poolFor(result.spec.origin, result.spec.http2), options, runDeadline), options.meterCpuSeconds);
        const { spec } = result;
        options.onProgress?.({
          kind: "block",
          cell: spec.id,
          collected: result.samplesMs.length,
          target: spec.samples,
          spentMs: result.spentMs,
          budgetMs: spec.timeBudgetMs,
        });
      }
      options.onProgress?.({
        kind: "round",
        round: round + 1,
        activeCells: results.filter((r) => r.stoppedBy === null).length,
        collected: results.reduce((sum, r) => sum + r.samplesMs.length, 0),
        target,
        elapsedMs: performance.now() - started,
      });
    }
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.destroy()));
  }
  return results;
}

function emptyResult(spec: CellSpec): CellResult {
  return {
    spec,
    samplesMs: [],
    attempts: 0,
    warmupDiscarded: 0,
    mismatches: 0,
    statusCounts: {},
    errors: 0,
    errorCodes: {},
    dropped: 0,
    spentMs: 0,
    blocks: 0,
    stoppedBy: null,
    blockEnds: [],
    cpuBlocks: [],
  };
}

async function meteredBlock(result: CellResult, block: () => Promise<void>, meter?: (cell: CellSpec) => Promise<number>): Promise<void> {
  if (!meter) return block();
  const before = await meter(result.spec);
  const attempts = result.attempts;
  await block();
  result.cpuBlocks.push({ cpuSeconds: (await meter(result.spec)) - before, requests: result.attempts - attempts });
}

/** Items with equal keys brought together, groups in the order of their first member (a stable grouping). */
function groupedInOrder<T>(items: readonly T[], key: (item: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return [...groups.values()].flat();
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** One block of one cell, bounded by the cell's remaining samples, its remaining budget and blockMs. */
async function runBlock(result: CellResult, pool: Pool, options: EngineOptions, runDeadline: number): Promise<void> {
  const { spec } = result;
  const warmup = options.blockWarmupSamples + (result.blocks === 0 ? options.warmupSamples : 0);
  const quota = Math.min(spec.samples - result.samplesMs.length, options.maxSamplesPerBlock ?? Number.POSITIVE_INFINITY) + warmup;
  const start = performance.now();
  const deadline = start + Math.min(options.blockMs, spec.timeBudgetMs - result.spentMs, runDeadline - start);
  const send = (index: number, from: number) => sendOne(result, pool, options, index < warmup, from);
  const attemptsBefore = result.attempts;

  if (spec.model.kind === "closed") await closedBlock(spec.model.vus, quota, deadline, send, options.signal);
  else await openBlock(result, spec.model.ratePerSec, quota, start, deadline, send, options);

  result.blocks++;
  result.blockEnds.push(result.samplesMs.length);
  // A block that ends early (the last arrival answered before the deadline) still used its slot;
  // counting only the busy part would leave slivers of budget for tiny, warm-up-only blocks.
  const elapsed = performance.now() - start;
  const reachedCount = result.samplesMs.length >= spec.samples;
  // A block capped by maxSamplesPerBlock ended on its own quota, not early: it used only its time.
  const reachedQuota = result.attempts - attemptsBefore >= quota;
  result.spentMs += reachedCount || reachedQuota || options.signal?.aborted ? elapsed : Math.max(elapsed, deadline - start);
  if (result.samplesMs.length >= spec.samples) result.stoppedBy = "count";
  else if (result.spentMs >= spec.timeBudgetMs) result.stoppedBy = "time";
}

type Send = (index: number, measuredFrom: number) => Promise<void>;

/** Each VU sends the next request as soon as its previous one finished. */
async function closedBlock(vus: number, quota: number, deadline: number, send: Send, signal?: AbortSignal) {
  let issued = 0;
  const vu = async () => {
    while (issued < quota && performance.now() < deadline && !signal?.aborted) {
      const index = issued++;
      await send(index, performance.now());
    }
  };
  await Promise.all(Array.from({ length: vus }, vu));
}

/**
 * Request i is due at start + i/rate. Its latency counts from that due time, not from when the
 * engine got round to sending it: if the server (or the engine) stalls, the requests that should
 * have gone out meanwhile carry the wait in their latency, so coordinated omission cannot hide it.
 */
async function openBlock(
  result: CellResult,
  ratePerSec: number,
  quota: number,
  start: number,
  deadline: number,
  send: Send,
  options: EngineOptions,
) {
  const intervalMs = 1000 / ratePerSec;
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < quota && !options.signal?.aborted; index++) {
    const due = start + index * intervalMs;
    if (due >= deadline) break;
    await waitUntil(due);
    if (inFlight.size >= options.maxInFlight) {
      result.dropped++;
      continue;
    }
    // Sent early (timer slack): count from the real send; sent late: count from the due time.
    const pending = send(index, Math.min(due, performance.now()));
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
  }
  await Promise.all(inFlight);
}

/**
 * Timers fire up to ~1 ms late, which the open model would bill as latency. So sleep until about
 * 1 ms before `due`, then yield with setImmediate (I/O keeps flowing) until it is time.
 */
async function waitUntil(due: number): Promise<void> {
  const coarse = due - performance.now() - 1;
  if (coarse >= 1) await sleep(Math.floor(coarse));
  while (performance.now() < due - SEND_EARLY_MS) await yieldToLoop();
}
// Sending a few µs early is harmless: latency then counts from the real send.
const SEND_EARLY_MS = 0.02;

/** Sends one request and files its outcome; never throws. */
async function sendOne(result: CellResult, pool: Pool, options: EngineOptions, warmup: boolean, from: number) {
  const { spec } = result;
  result.attempts++;
  try {
    // No per-request AbortSignal: the pool's headers and body timeouts (requestTimeoutMs) bound every request, and a
    // timer per request was a third of the engine's own cost (the floor against a bare undici loop).
    const response = await pool.request({ path: spec.request.path, method: spec.request.method, headers: spec.request.headers, body: spec.request.body });
    // The whole body counts, as in k6's http_req_duration.
    await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
    const elapsed = performance.now() - from;
    const status = String(response.statusCode);
    result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
    if (response.statusCode !== spec.expectStatus) result.mismatches++;
    else if (warmup) result.warmupDiscarded++;
    else result.samplesMs.push(elapsed);
  } catch (error) {
    result.errors++;
    const code = errorCode(error);
    result.errorCodes[code] = (result.errorCodes[code] ?? 0) + 1;
  }
}

/** A network error's code (undici puts it on the error or its cause), for counts by kind. */
export function errorCode(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
    if (typeof e.code === "string") return e.code;
    if (typeof e.cause?.code === "string") return e.cause.code;
    if (typeof e.name === "string") return e.name;
  }
  return "UNKNOWN";
}
