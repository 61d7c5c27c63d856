import { buildRequest, engineOptionsFrom, loadDefinition, runCells, type CellResult, type CellSpec } from "../latency/index.ts";
import type { StartedStack } from "../stack/index.ts";
import { costDelta, costRow, type CostDelta, type CostRow, type CostSide } from "./cost.ts";
import type { Side } from "./review-manifest.ts";

/** Where one side's traffic goes: its stack (shared or its own) and the Host that selects its directive set. */
export interface SideTarget {
  side: Side;
  stack: StartedStack;
  host?: string;
}

export interface CostOptions {
  shapes: readonly string[];
  samples: number;
  timeBudgetMs: number;
  /** Blocks per cell at least (each cell's samples spread over this many rounds); the intervals resample rounds. */
  rounds: number;
  log: (line: string) => void;
}

export interface CostSection {
  mode: string;
  rows: CostRow[];
  deltas: CostDelta[];
  /** Envoy's memory after the cells: per side with a stack each; with one Envoy it is both sides' together. */
  envoyMemory: { shared: boolean; base: number; candidate: number };
  samples: number;
  rounds: number;
  cpuSource: string;
}

const COST_SIDES: readonly CostSide[] = ["no-waf", "base", "candidate"];

/**
 * Latency and Envoy CPU per request shape for both sides and for Envoy without the WAF: every cell takes turns in
 * short blocks on the same keep-alive pools, in seeded-random order, and Envoy's cgroup CPU is read around each
 * block, so each side's CPU is its own although they share one Envoy.
 */
export async function measureReviewCost(sides: readonly SideTarget[], mode: string, options: CostOptions): Promise<CostSection> {
  const target = (side: Side) => sides.find((s) => s.side === side)!;
  const base = target("base");
  const definition = await loadDefinition();
  const shapes = options.shapes.map((name) => {
    const shape = definition.shapes.find((s) => s.name === name);
    if (!shape) throw new Error(`no latency shape "${name}" (have: ${definition.shapes.map((s) => s.name).join(", ")})`);
    return shape;
  });
  const cells: CellSpec[] = shapes.flatMap((shape) =>
    COST_SIDES.map((side) => ({
      id: `${side}/${shape.name}`,
      scenario: side,
      shape: shape.name,
      tags: { scenario: side, shape: shape.name },
      // Envoy without the WAF: the base's Envoy, the floor both sides pay.
      origin: side === "no-waf" ? base.stack.baselineUrl : target(side).stack.gatewayUrl,
      request: buildRequest(shape, definition.headers ?? {}, side === "no-waf" ? definition.host : (target(side).host ?? definition.host)),
      expectStatus: shape.expectStatus,
      samples: options.samples,
      timeBudgetMs: options.timeBudgetMs,
      model: { kind: "closed", vus: 1 },
    })),
  );
  const counters = new Map(await Promise.all(sides.map(async (s) => [s.side, await s.stack.cpuCounter()] as const)));
  const counterOf = (cell: CellSpec) => counters.get(cell.scenario === "candidate" ? "candidate" : "base")!;
  options.log(`cost: ${cells.length} cells (${shapes.length} shapes × no WAF, base, candidate), 0.5 s blocks in turn; Envoy CPU from its ${counters.get("base")!.source}`);
  let lastRound = 0;
  const results = await runCells(cells, {
    ...engineOptionsFrom(definition),
    blockMs: 500,
    // At least `rounds` blocks per cell, however fast the machine: the intervals resample rounds.
    maxSamplesPerBlock: Math.ceil(options.samples / options.rounds),
    // A shape's base and candidate blocks back to back in every round: the pair sees the same moment of the machine.
    adjacentBy: (cell) => cell.shape,
    meterCpuSeconds: (cell) => counterOf(cell).read(),
    onProgress: (e) => {
      if (e.kind === "round" && (e.round - lastRound >= 10 || e.activeCells === 0)) {
        lastRound = e.round;
        options.log(`cost: round ${e.round}, ${e.collected}/${e.target} samples, ${(e.elapsedMs / 1000).toFixed(0)} s`);
      }
    },
  });
  // One read per Envoy (a Docker stats read takes about a second): with one shared Envoy both sides get its figure.
  const rss = new Map<StartedStack, Promise<number>>();
  const memory = (side: Side) => {
    const { stack } = target(side);
    if (!rss.has(stack)) rss.set(stack, stack.resources().then((r) => r.rssBytes ?? r.memoryBytes));
    return rss.get(stack)!;
  };
  const cell = (side: CostSide, shape: string) => results.find((r) => r.spec.scenario === side && r.spec.shape === shape) as CellResult;
  return {
    mode,
    rows: shapes.flatMap((s) => COST_SIDES.map((side) => costRow(s.name, side, cell(side, s.name), options.rounds))),
    deltas: shapes.flatMap((s) => costDelta(s.name, cell("base", s.name), cell("candidate", s.name)) ?? []),
    envoyMemory: { shared: base.stack === target("candidate").stack, base: await memory("base"), candidate: await memory("candidate") },
    samples: options.samples,
    rounds: options.rounds,
    cpuSource: counters.get("base")!.source,
  };
}
