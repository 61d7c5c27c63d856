import { runCells, type CellResult, type CellSpec } from "../latency/engine.ts";
import { engineOptionsFrom, loadDefinition } from "../latency/scenarios.ts";
import { buildRequest } from "../latency/shape-request.ts";
import type { StartedStack } from "../stack/stack.ts";
import { costDelta, costRow, type CostDelta, type CostRow, type CostSide } from "./cost.ts";
import { reviewHost } from "./review-manifest.ts";

export interface CostOptions {
  shapes: readonly string[];
  samples: number;
  timeBudgetMs: number;
  /** Groups of consecutive blocks over which CPU per request is shown apart (its spread). */
  rounds: number;
  log: (line: string) => void;
}

export interface CostSection {
  mode: "one Envoy, two directive sets";
  rows: CostRow[];
  deltas: CostDelta[];
  /** One Envoy serves both sides: its memory is theirs together (per side needs two stacks). */
  envoyMemory: { before: number; after: number; rssAfter?: number };
  samples: number;
  rounds: number;
}

const SIDES: readonly CostSide[] = ["no-waf", "base", "candidate"];

/**
 * Latency and Envoy CPU per request shape for both sides and for Envoy without the WAF: every cell takes turns in
 * short blocks on the same keep-alive pools, in seeded-random order, and Envoy's cgroup CPU is read around each
 * block, so each side's CPU is its own although they share one Envoy.
 */
export async function measureReviewCost(stack: StartedStack, options: CostOptions): Promise<CostSection> {
  const definition = await loadDefinition();
  const shapes = options.shapes.map((name) => {
    const shape = definition.shapes.find((s) => s.name === name);
    if (!shape) throw new Error(`no latency shape "${name}" (have: ${definition.shapes.map((s) => s.name).join(", ")})`);
    return shape;
  });
  const cells: CellSpec[] = shapes.flatMap((shape) =>
    SIDES.map((side) => ({
      id: `${side}/${shape.name}`,
      scenario: side,
      shape: shape.name,
      tags: { scenario: side, shape: shape.name },
      origin: side === "no-waf" ? stack.baselineUrl : stack.gatewayUrl,
      request: buildRequest(shape, definition.headers ?? {}, side === "no-waf" ? definition.host : reviewHost(side)),
      expectStatus: shape.expectStatus,
      samples: options.samples,
      timeBudgetMs: options.timeBudgetMs,
      model: { kind: "closed", vus: 1 },
    })),
  );
  const memoryBefore = await stack.resources();
  let lastRound = 0;
  const results = await runCells(cells, {
    ...engineOptionsFrom(definition),
    blockMs: 500,
    meterCpuSeconds: async () => (await stack.resources()).cpuSeconds,
    onProgress: (e) => {
      if (e.kind === "round" && (e.round - lastRound >= 10 || e.activeCells === 0)) {
        lastRound = e.round;
        options.log(`cost: round ${e.round}, ${e.collected}/${e.target} samples, ${(e.elapsedMs / 1000).toFixed(0)} s`);
      }
    },
  });
  const memoryAfter = await stack.resources();
  const cell = (side: CostSide, shape: string) => results.find((r) => r.spec.scenario === side && r.spec.shape === shape) as CellResult;
  return {
    mode: "one Envoy, two directive sets",
    rows: shapes.flatMap((s) => SIDES.map((side) => costRow(s.name, side, cell(side, s.name), options.rounds))),
    deltas: shapes.flatMap((s) => costDelta(s.name, cell("base", s.name), cell("candidate", s.name), options.rounds) ?? []),
    envoyMemory: { before: memoryBefore.memoryBytes, after: memoryAfter.memoryBytes, ...(memoryAfter.rssBytes !== undefined && { rssAfter: memoryAfter.rssBytes }) },
    samples: options.samples,
    rounds: options.rounds,
  };
}
