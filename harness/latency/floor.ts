/**
 * The engine's own cost: the same engine and model against a loopback server that answers 200 at
 * once. Latencies of real targets cannot be read more finely than this floor.
 */
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

export async function measureEngineFloor(options: FloorOptions): Promise<CellResult> {
  const server = await startLoopbackServer();
  try {
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
    return result!;
  } finally {
    await server.close();
  }
}
