import type { Target } from "../http/index.ts";

/**
 * A token bucket (requests per second) and a cap on requests in flight, for one process. Playwright runs
 * suites in several worker processes, so a target's limits are divided across them: see `limitsPerWorker`.
 */
export class Throttle {
  private tokens: number;
  private last: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly concurrency: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(ratePerSecond > 0) || !(concurrency >= 1)) throw new Error(`invalid limits: ${ratePerSecond} req/s, ${concurrency} concurrent`);
    this.tokens = 1; // burst of one: requests are paced evenly from the first one
    this.last = now();
  }

  /** Runs `fn` once a slot is free and a token is available; the slot is released when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquireSlot();
    try {
      await this.takeToken();
      return await fn();
    } finally {
      this.releaseSlot();
    }
  }

  private async acquireSlot(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.inFlight--;
  }

  /** Tokens are handed out one at a time, in order (a chain), so waiters never race for the same token. */
  private takeToken(): Promise<void> {
    const turn = this.chain.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await this.sleep(((1 - this.tokens) / this.ratePerSecond) * 1000);
        this.refill();
      }
      this.tokens = Math.max(0, this.tokens - 1);
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(1, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }
}

export interface WorkerLimits {
  ratePerSecond: number;
  concurrency: number;
}

/**
 * One worker's share of a target's limits: the rate divided by the number of workers, and the concurrency
 * cap divided likewise (at least one; `npm run waf` runs no more workers than the cap for remote targets).
 * Undefined when the target sets no limits (the local stack).
 */
export function limitsPerWorker(target: Pick<Target, "rateLimit" | "concurrency">, workers: number): WorkerLimits | undefined {
  if (target.rateLimit === undefined && target.concurrency === undefined) return undefined;
  const n = Math.max(1, Math.floor(workers));
  return {
    ratePerSecond: (target.rateLimit ?? Number.POSITIVE_INFINITY) / n,
    concurrency: Math.max(1, Math.floor((target.concurrency ?? n) / n)),
  };
}

export function throttleFor(target: Pick<Target, "rateLimit" | "concurrency">, workers: number): Throttle | undefined {
  const limits = limitsPerWorker(target, workers);
  if (!limits) return undefined;
  return new Throttle(Number.isFinite(limits.ratePerSecond) ? limits.ratePerSecond : 1e9, limits.concurrency);
}

/** n of --shard=i/n (or --shard i/n); 1 without sharding. */
export function shardTotal(argv: readonly string[]): number {
  const i = argv.findIndex((a) => a === "--shard" || a.startsWith("--shard="));
  if (i < 0) return 1;
  const value = argv[i] === "--shard" ? argv[i + 1] : argv[i]!.slice("--shard=".length);
  const m = /^\d+\/(\d+)$/.exec(value ?? "");
  return m ? Math.max(1, Number(m[1])) : 1;
}

/**
 * Playwright's `--workers` for a remote target: never more than the target's concurrency cap. An explicit
 * larger value is refused (it would exceed the cap the target's owner set).
 */
export function workersArgs(argv: readonly string[], targetConcurrency: number, defaultWorkers: number): { argv: string[]; workers: number } {
  const out = [...argv];
  // With --shard=i/n the n parts may run at once on n machines: each gets 1/n of the cap (its rate is divided in the workers).
  const shards = shardTotal(argv);
  const concurrency = Math.floor(targetConcurrency / shards);
  if (concurrency < 1) throw new RangeError(`--shard …/${shards}: the target allows ${targetConcurrency} request(s) in flight, fewer than ${shards} shards running at once; use at most ${targetConcurrency} shards`);
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    const m = /^(?:--workers|-j)(?:=(.+))?$/.exec(a);
    if (!m) continue;
    const value = m[1] ?? out[i + 1];
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--workers ${value ?? ""}: a remote target needs a whole number of workers (at most ${concurrency})`);
    if (n > concurrency) throw new RangeError(`--workers ${n} exceeds the target's concurrency cap (${concurrency})`);
    return { argv: out, workers: n };
  }
  const workers = Math.max(1, Math.min(concurrency, defaultWorkers));
  return { argv: [...out, `--workers=${workers}`], workers };
}
