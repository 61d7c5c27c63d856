/**
 * Evaluates the shared k6 thresholds against the Node engine's results, so "did this config
 * change make it worse?" gets the same pass/fail answer without k6. Only the forms the definition
 * uses are understood; anything else is reported as not evaluated rather than guessed.
 */
import type { CellResult } from "./engine.ts";
import { quantileSorted } from "./stats.ts";

export interface ThresholdResult {
  metric: string;
  expression: string;
  /** null: the expression or metric is not one this evaluator knows, or no sample matched. */
  ok: boolean | null;
  value: number | null;
  /** Samples pooled for the value (every sample of every matching cell), or requests for a rate. */
  n?: number;
  note?: string;
}

const KEY = /^([a-z_]+)(?:\{([^}]*)\})?$/;
const EXPR = /^\s*(p\((\d+(?:\.\d+)?)\)|med|avg|min|max|rate)\s*(<=|<|>=|>|==)\s*(-?\d+(?:\.\d+)?)\s*$/;

export function evaluateThresholds(thresholds: Record<string, string[]>, results: readonly CellResult[]): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [metric, expressions] of Object.entries(thresholds)) {
    for (const expression of expressions) out.push(evaluateOne(metric, expression, results));
  }
  return out;
}

function evaluateOne(metric: string, expression: string, results: readonly CellResult[]): ThresholdResult {
  const key = KEY.exec(metric);
  const expr = EXPR.exec(expression);
  const unknown = (note: string): ThresholdResult => ({ metric, expression, ok: null, value: null, note });
  if (!key || !expr) return unknown("not understood by the Node evaluator");
  const filters = (key[2] ?? "")
    .split(",")
    .filter((f) => f.trim() !== "")
    .map((f) => f.split(":").map((p) => p.trim()) as [string, string]);
  const matching = results.filter((r) => filters.every(([tag, value]) => r.spec.tags[tag] === value));
  if (matching.length === 0) return unknown("no scenario ran that matches the tags");
  const [, stat, pct, op, limitText] = expr;
  let value: number | null;
  let n: number;
  if (key[1] === "http_req_duration" && stat !== "rate") {
    value = durationStat(matching, stat!, pct);
    n = matching.reduce((sum, r) => sum + r.samplesMs.length, 0);
  } else if (key[1] === "http_req_failed" && stat === "rate") {
    value = failedRate(matching);
    n = matching.reduce((sum, r) => sum + r.attempts, 0);
  } else return unknown(`${stat} of ${key[1]} is not evaluated here`);
  if (value === null) return unknown("no samples");
  return { metric, expression, ok: compare(value, op!, Number(limitText)), value: Math.round(value * 10000) / 10000, n };
}

function durationStat(results: readonly CellResult[], stat: string, pct: string | undefined): number | null {
  const all = Float64Array.from(results.flatMap((r) => r.samplesMs)).sort();
  if (all.length === 0) return null;
  if (stat === "med") return quantileSorted(all, 0.5);
  if (stat === "min") return all[0]!;
  if (stat === "max") return all[all.length - 1]!;
  if (stat === "avg") return all.reduce((s, x) => s + x, 0) / all.length;
  return quantileSorted(all, Number(pct) / 100);
}

/** Like k6's http_req_failed: requests that did not get the expected status, or no response at all. */
function failedRate(results: readonly CellResult[]): number | null {
  const attempts = results.reduce((s, r) => s + r.attempts, 0);
  if (attempts === 0) return null;
  return results.reduce((s, r) => s + r.mismatches + r.errors, 0) / attempts;
}

function compare(value: number, op: string, limit: number): boolean {
  switch (op) {
    case "<":
      return value < limit;
    case "<=":
      return value <= limit;
    case ">":
      return value > limit;
    case ">=":
      return value >= limit;
    default:
      return value === limit;
  }
}
