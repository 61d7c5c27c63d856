/**
 * Runs the real engine against node:http servers on 127.0.0.1 (worker threads): ~1 s per model for
 * the overhead check, plus short runs for status checking and the count/time bounds.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { UserError } from "../errors.ts";
import { defaultEngineOptions, runCells, type CellSpec, type EngineOptions, type LoadModel } from "./engine.ts";
import { measureEngineFloor } from "./floor.ts";
import { startLoopbackServer, type LoopbackServer } from "./loopback.ts";
import { bootstrapOverhead, summarize } from "./stats.ts";

const GET = { method: "GET" as const, path: "/catalog/item/42", headers: { host: "app.example.test", accept: "*/*" } };
const CLOSED: LoadModel = { kind: "closed", vus: 1 };
const OPEN: LoadModel = { kind: "open", ratePerSec: 200 };
const ENGINE: EngineOptions = { ...defaultEngineOptions, blockMs: 100, warmupSamples: 10, blockWarmupSamples: 1 };

function cell(id: string, origin: string, model: LoadModel, extra: Partial<CellSpec> = {}): CellSpec {
  return {
    id,
    scenario: id,
    shape: "get_small",
    tags: { scenario: id, shape: "get_small" },
    origin,
    request: GET,
    expectStatus: 200,
    samples: 1_000_000,
    timeBudgetMs: 500,
    model,
    ...extra,
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let fast: LoopbackServer;
let slow: LoopbackServer;
let waf: LoopbackServer;
before(async () => {
  [fast, slow, waf] = await Promise.all([
    startLoopbackServer(),
    startLoopbackServer({ delayMs: 2 }),
    startLoopbackServer({ denyBanned: true }),
  ]);
});
after(async () => {
  await Promise.all([fast.close(), slow.close(), waf.close()]);
});

// The slow server adds 2 ms, exact to a few µs. End to end, a bit more can show up, never less:
// a client thread idle for 2 ms wakes up slower than one that waited 0.3 ms (0.2–0.5 ms in the
// closed model on this 2-core VM, under other load). Hence a lopsided band, and a second attempt
// when a noisy neighbour spoils the first.
const ADDED_MS = 2;
const BELOW_MS = 0.3;
const ABOVE_MS = 0.8;
const ATTEMPTS = 3; // a loaded CI machine can spoil one attempt; three misses in a row is a real error

for (const model of [CLOSED, OPEN]) {
  describe(`${model.kind} model against a server 2 ms slower`, () => {
    it("measures an overhead of about 2 ms with a 95 % interval that contains it", async () => {
      const failures: string[] = [];
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const [base, slower] = await runCells([cell("fast", fast.url, model), cell("slow", slow.url, model)], ENGINE);
        assert.equal(base!.mismatches + base!.errors + slower!.mismatches + slower!.errors, 0);
        assert.equal(base!.stoppedBy, "time");
        const o = bootstrapOverhead(slower!.samplesMs, base!.samplesMs, { seed: 1 })!;
        const [lo, hi] = o.p50DeltaCi95;
        const detail = `${model.kind}: n=${o.n}/${o.baselineN} baseline p50 ${summarize(base!.samplesMs).p50Ms} ms, p50 delta ${o.p50DeltaMs} ms CI [${lo}, ${hi}]`;
        console.log(`# attempt ${attempt}: ${detail}`);
        assert.ok(o.n >= 50 && o.baselineN >= 50, detail);
        assert.ok(lo <= o.p50DeltaMs && o.p50DeltaMs <= hi, detail);
        const near = o.p50DeltaMs >= ADDED_MS - BELOW_MS && o.p50DeltaMs <= ADDED_MS + ABOVE_MS;
        const covers = lo - ABOVE_MS <= ADDED_MS && ADDED_MS <= hi + BELOW_MS;
        if (near && covers) return;
        failures.push(detail);
      }
      assert.fail(`overhead not ≈ ${ADDED_MS} ms: ${failures.join("; ")}`);
    });
  });
}

describe("status checking", () => {
  it("counts mismatches and transport errors apart from latency", async () => {
    const port = await closedPort();
    const small = { samples: 30, timeBudgetMs: 250 };
    const [wrongStatus, blocked, notBlocked, refused] = await runCells(
      [
        cell("server-error", fast.url, CLOSED, { ...small, request: { ...GET, path: "/status/500" } }),
        cell("blocked", waf.url, CLOSED, { ...small, expectStatus: 403, request: { ...GET, headers: { ...GET.headers, "x-user-type": "baned" } } }),
        cell("not-blocked", fast.url, CLOSED, { ...small, expectStatus: 403 }),
        cell("refused", `http://127.0.0.1:${port}`, CLOSED, small),
      ],
      ENGINE,
    );
    assert.equal(wrongStatus!.samplesMs.length, 0);
    assert.ok(wrongStatus!.mismatches > 0);
    assert.equal(wrongStatus!.mismatches, wrongStatus!.attempts);
    assert.deepEqual(Object.keys(wrongStatus!.statusCounts), ["500"]);

    assert.equal(blocked!.mismatches, 0);
    assert.equal(blocked!.samplesMs.length, 30);
    assert.deepEqual(blocked!.statusCounts, { "403": blocked!.attempts });

    assert.equal(notBlocked!.samplesMs.length, 0);
    assert.equal(notBlocked!.mismatches, notBlocked!.attempts);

    assert.equal(refused!.samplesMs.length, 0);
    assert.equal(refused!.mismatches, 0);
    assert.equal(refused!.errors, refused!.attempts);
    assert.ok((refused!.errorCodes.ECONNREFUSED ?? 0) > 0, JSON.stringify(refused!.errorCodes));
    assert.equal(refused!.stoppedBy, "time");
  });
});

describe("bounds", () => {
  for (const model of [CLOSED, OPEN]) {
    it(`${model.kind}: stops at the sample count, warm-up not counted`, async () => {
      const [r] = await runCells([cell("count", fast.url, model, { samples: 40, timeBudgetMs: 10_000 })], ENGINE);
      assert.equal(r!.stoppedBy, "count");
      assert.equal(r!.samplesMs.length, 40);
      assert.equal(r!.warmupDiscarded, ENGINE.warmupSamples + ENGINE.blockWarmupSamples * r!.blocks);
      assert.ok(r!.spentMs < 2000, `took ${r!.spentMs} ms`);
    });

    it(`${model.kind}: maxSamplesPerBlock spreads a fast cell over several blocks`, async () => {
      const [r] = await runCells([cell("spread", fast.url, model, { samples: 30, timeBudgetMs: 10_000 })], { ...ENGINE, maxSamplesPerBlock: 10 });
      assert.equal(r!.samplesMs.length, 30);
      assert.ok(r!.blocks >= 3, `${r!.blocks} blocks`);
    });

    it(`${model.kind}: stops when the time budget is spent`, async () => {
      const started = performance.now();
      const [r] = await runCells([cell("time", fast.url, model, { timeBudgetMs: 300 })], ENGINE);
      const wall = performance.now() - started;
      assert.equal(r!.stoppedBy, "time");
      assert.ok(r!.spentMs >= 300 && r!.spentMs < 400, `spent ${r!.spentMs} ms`);
      assert.ok(wall < 1000, `wall ${wall} ms`);
    });
  }

  it("open: an overloaded server shows its queue in the latency (no coordinated omission)", async () => {
    // One connection, 2 ms per request, 1000 arrivals/s: half the arrivals must wait in line.
    const [r] = await runCells([cell("queue", slow.url, { kind: "open", ratePerSec: 1000 }, { timeBudgetMs: 200 })], {
      ...ENGINE,
      connections: 1,
      blockMs: 200,
    });
    const s = summarize(r!.samplesMs);
    assert.ok(s.p50Ms! > 20 && s.maxMs! > 50, `p50 ${s.p50Ms} ms, max ${s.maxMs} ms`);
  });

  it("open: arrivals beyond maxInFlight are dropped and counted", async () => {
    const [r] = await runCells([cell("drop", slow.url, { kind: "open", ratePerSec: 2000 }, { timeBudgetMs: 150 })], {
      ...ENGINE,
      maxInFlight: 2,
    });
    assert.ok(r!.dropped > 0, `dropped ${r!.dropped}`);
    assert.equal(r!.errors + r!.mismatches, 0);
  });

  it("stops everything at the run limit", async () => {
    const [r] = await runCells([cell("limit", fast.url, CLOSED, { timeBudgetMs: 60_000 })], { ...ENGINE, maxRunMs: 250 });
    assert.equal(r!.stoppedBy, "run-limit");
    assert.ok(r!.spentMs < 500, `spent ${r!.spentMs} ms`);
  });

  it("refuses a target that is not on loopback before sending anything", async () => {
    await assert.rejects(runCells([cell("remote", "http://192.0.2.1:80", CLOSED)], ENGINE), UserError);
  });
});

describe("interleaving", () => {
  it("visits every active cell once per round, in a seeded order", async () => {
    const blocks: string[] = [];
    const cells = ["a", "b", "c"].map((id) => cell(id, fast.url, CLOSED, { samples: 10_000, timeBudgetMs: 120 }));
    await runCells(cells, { ...ENGINE, blockMs: 20, onProgress: (e) => e.kind === "block" && blocks.push(e.cell) });
    const rounds: string[][] = [];
    for (let i = 0; i + 3 <= blocks.length; i += 3) rounds.push(blocks.slice(i, i + 3));
    assert.ok(rounds.length >= 4, `rounds ${rounds.length}`);
    for (const round of rounds) assert.deepEqual([...round].sort(), ["a", "b", "c"]);
    assert.ok(new Set(rounds.map((r) => r.join())).size > 1, "order varies between rounds");
  });
});

describe("engine floor", () => {
  it("measures the engine against a no-op loopback server", async () => {
    const floor = await measureEngineFloor({ model: CLOSED, request: GET, samples: 200, timeBudgetMs: 2000, engine: ENGINE });
    const s = summarize(floor.cell.samplesMs);
    assert.equal(s.n, 200);
    assert.ok(s.p50Ms! > 0 && s.p50Ms! < 5, `floor p50 ${s.p50Ms} ms`);
    assert.ok(floor.bareSamplesMs.length >= 200, "a bare undici loop against the same server, same run");
  });
});
