/**
 * The engine's own cost: the same engine and model against a loopback server that answers 200 at
 * once. Latencies of real targets cannot be read more finely than this floor.
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { runCells, type CellResult, type EngineOptions, type LoadModel } from "./engine.ts";
import { startLoopbackServer } from "./loopback.ts";
import type { BuiltRequest } from "./shape-request.ts";

export interface FloorOptions {
  model: LoadModel;
  request: BuiltRequest;
  samples: number;
  timeBudgetMs: number;
  engine: EngineOptions;
}

/** The engine's floor and, against the same server in the same run, a bare undici loop it is held to. */
export interface EngineFloor {
  cell: CellResult;
  /** Latencies of a plain loop: request, read the body, repeat (as many loops as the model has VUs). */
  bareSamplesMs: number[];
}

export async function measureEngineFloor(options: FloorOptions): Promise<EngineFloor> {
  const server = await startLoopbackServer();
  try {
    const vus = options.model.kind === "closed" ? options.model.vus : 1;
    // Bare loop first, then the engine, then the bare loop again: both see the same warm server and machine.
    const bareSamplesMs = await bareLoop(server.url, options.request, Math.ceil(options.samples / 2), vus);
    const [result] = await runCells(
      [
        {
          id: "engine-floor",
          scenario: "engine-floor",
          shape: "noop",
          tags: { scenario: "engine-floor", shape: "noop" },
          origin: server.url,
          request: options.request,
          expectStatus: 200,
          samples: options.samples,
          timeBudgetMs: options.timeBudgetMs,
          model: options.model,
        },
      ],
      { ...options.engine, onProgress: undefined },
    );
    bareSamplesMs.push(...(await bareLoop(server.url, options.request, Math.ceil(options.samples / 2), vus)));
    return { cell: result!, bareSamplesMs };
  }
  finally {
    await server.close();
  }
}

/** The least a client can do per request with undici: no scheduling, no bookkeeping, one pool, sequential per VU. */
async function bareLoop(origin: string, request: BuiltRequest, samples: number, vus: number): Promise<number[]> {
  const pool = new Pool(origin, { connections: vus, pipelining: 1 });
  const out: number[] = [];
  const warmup = 20;
  try {
    await Promise.all(
      Array.from({ length: vus }, async () => {
        for (let i = 0; out.length < samples; i++) {
          const start = performance.now();
          const response = await pool.request({ path: request.path, method: request.method, headers: request.headers, body: request.body });
          await response.body.dump();
          if (i >= warmup) out.push(performance.now() - start);
        }
      }),
    );
  } finally {
    await pool.destroy();
  }
  return out;
}
