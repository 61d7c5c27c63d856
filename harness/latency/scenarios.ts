/**
 * The shared latency definition (scenarios.json beside this file): validated with zod, then
 * turned into engine cells. The k6 scripts read the same file, so both tools measure the same thing.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { parseDuration } from "./duration.ts";
import { defaultEngineOptions, type CellSpec, type EngineOptions, type LoadModel } from "./engine.ts";
import { ratePerSecond, type DefinedScenario, type OpenModelDef } from "./k6-options.ts";
import { buildRequest, type ShapeDef } from "./shape-request.ts";

export const DEFAULT_DEFINITION = fileURLToPath(new URL("./scenarios.json", import.meta.url));

const duration = z.string().refine((s) => parseDuration(s) !== undefined, "not a k6 duration such as 500ms, 20s, 1m");
const count = z.number().int().positive();

// Only keys k6 knows for each executor, so k6 accepts the object exactly as written.
// `host` (optional) picks a directive set on the same Envoy through the plug-in's per_authority_directives.
const scenarioTags = z.looseObject({ target: z.string().min(1), shapeGroup: z.string().min(1), host: z.string().min(1).optional() });
const scenarioCommon = {
  duration,
  tags: scenarioTags,
  startTime: duration.optional(),
  gracefulStop: duration.optional(),
  exec: z.string().optional(),
};
const scenarioSchema = z.discriminatedUnion("executor", [
  z.strictObject({
    executor: z.literal("constant-arrival-rate"),
    rate: count,
    timeUnit: duration.optional(),
    preAllocatedVUs: count,
    maxVUs: count.optional(),
    ...scenarioCommon,
  }),
  z.strictObject({ executor: z.literal("constant-vus"), vus: count, ...scenarioCommon }),
]);

/**
 * The open model both tools share: k6 (K6_MODEL=open) turns every scenario into constant-arrival-rate with these
 * keys; the engine's `--model open` takes `rate`/`timeUnit` as its default rate per cell. Both cap by maxRate.
 */
const openModelSchema = z.strictObject({
  rate: count,
  timeUnit: duration.optional(),
  preAllocatedVUs: count,
  maxVUs: count.optional(),
});

const shapeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]+$/, "use lower-case letters, digits and _ (it becomes a k6 tag)"),
  group: z.string().min(1),
  method: z.enum(["GET", "POST"]),
  path: z.string().startsWith("/"),
  headers: z.record(z.string(), z.string()).optional(),
  body: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("json"), bytes: count }),
      z.strictObject({ type: z.literal("form"), fields: z.record(z.string(), z.string()) }),
    ])
    .optional(),
  expectStatus: z.number().int().min(100).max(599),
  samples: count,
  timeBudget: duration,
  /** Open model: never schedule this shape faster (requests/s). CRS bodies cost tens of ms each here. */
  maxRate: z.number().positive().optional(),
});

const engineSchema = z.strictObject({
  seed: z.number().int().nonnegative(),
  blockMs: count,
  warmupSamples: z.number().int().nonnegative(),
  blockWarmupSamples: z.number().int().nonnegative(),
  closedVus: count,
  connections: count,
  maxInFlight: count,
  requestTimeoutMs: count,
});

export const definitionSchema = z
  .object({
    $comment: z.string().optional(),
    scenarios: z.record(z.string().regex(/^[a-z0-9_]+$/), scenarioSchema),
    openModel: openModelSchema.optional(),
    thresholds: z.record(z.string(), z.array(z.string())),
    comparisons: z.array(z.strictObject({ scenario: z.string(), baseline: z.string() })),
    host: z.string().min(1),
    headers: z.record(z.string(), z.string()),
    shapes: z.array(shapeSchema).min(1),
    engine: engineSchema,
  })
  .strict()
  .superRefine((def, ctx) => {
    const names = new Set<string>();
    def.shapes.forEach((shape, i) => {
      if (names.has(shape.name)) ctx.addIssue({ code: "custom", path: ["shapes", i, "name"], message: `duplicate shape "${shape.name}"` });
      names.add(shape.name);
    });
    if (def.openModel?.maxVUs !== undefined && def.openModel.maxVUs < def.openModel.preAllocatedVUs)
      ctx.addIssue({ code: "custom", path: ["openModel", "maxVUs"], message: "maxVUs is below preAllocatedVUs (k6 refuses that)" });
    for (const [name, scenario] of Object.entries(def.scenarios)) {
      if (!def.shapes.some((s) => s.group === scenario.tags.shapeGroup))
        ctx.addIssue({ code: "custom", path: ["scenarios", name, "tags", "shapeGroup"], message: `no shape has group "${scenario.tags.shapeGroup}"` });
    }
    def.comparisons.forEach((c, i) => {
      const a = def.scenarios[c.scenario];
      const b = def.scenarios[c.baseline];
      if (!a || !b) {
        ctx.addIssue({ code: "custom", path: ["comparisons", i], message: `names a scenario that "scenarios" lacks: ${c.scenario} / ${c.baseline}` });
        return;
      }
      // A delta only means something under the same load and over the same shapes.
      if (a.tags.shapeGroup !== b.tags.shapeGroup || loadKey(a) !== loadKey(b))
        ctx.addIssue({ code: "custom", path: ["comparisons", i], message: `${c.scenario} and ${c.baseline} differ in shapeGroup or load` });
    });
  });

export type LatencyDefinition = z.infer<typeof definitionSchema>;
export type ScenarioDef = LatencyDefinition["scenarios"][string];

// The shared request builder is typed without zod; keep the schema and that type in step.
const _shapeTypeCheck = (s: z.infer<typeof shapeSchema>): ShapeDef => s;
void _shapeTypeCheck;
// Likewise the k6-side types of scenarios and the open model (harness/latency/k6-options.ts).
const _k6TypeCheck = (s: ScenarioDef, o: z.infer<typeof openModelSchema>): [DefinedScenario, OpenModelDef] => [s, o];
void _k6TypeCheck;

function loadKey(s: ScenarioDef): string {
  return s.executor === "constant-arrival-rate" ? `rate:${s.rate}/${s.timeUnit ?? "1s"}` : `vus:${s.vus}`;
}

export async function loadDefinition(path = DEFAULT_DEFINITION): Promise<LatencyDefinition> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new UserError(`${path}: ${(error as Error).message}`);
  }
  return parseDefinition(raw, path);
}

export function parseDefinition(raw: unknown, source: string): LatencyDefinition {
  const parsed = definitionSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new UserError(`${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

export function engineOptionsFrom(def: LatencyDefinition): EngineOptions {
  return { ...defaultEngineOptions, ...def.engine };
}

export interface PlanOptions {
  /** Base URL per target name (the scenarios' `tags.target`): upstream, baseline, waf ... */
  targets: Record<string, string | undefined>;
  host?: string;
  /** A real gateway has one virtual host: `host` then wins over the scenarios' local per-set hosts. */
  hostOverridesScenarios?: boolean;
  /** Overrides; by default each scenario's own executor decides. */
  model?: "open" | "closed";
  ratePerSec?: number;
  vus?: number;
  samples?: number;
  timeBudgetMs?: number;
  scenarios?: readonly string[];
  shapes?: readonly string[];
}

export interface Plan {
  cells: CellSpec[];
  /** Scenarios left out, with the reason (no URL for their target, or not selected). */
  skipped: Array<{ scenario: string; reason: string }>;
}

/** One cell per (scenario, shape of its group) whose target has a URL. */
export function planCells(def: LatencyDefinition, options: PlanOptions): Plan {
  const cells: CellSpec[] = [];
  const skipped: Plan["skipped"] = [];
  for (const [scenario, sdef] of Object.entries(def.scenarios)) {
    const host = (options.hostOverridesScenarios ? options.host : undefined) ?? sdef.tags.host ?? options.host ?? def.host;
    if (options.scenarios && !options.scenarios.includes(scenario)) {
      skipped.push({ scenario, reason: "not selected" });
      continue;
    }
    const origin = options.targets[sdef.tags.target];
    if (!origin) {
      skipped.push({ scenario, reason: `no URL for target "${sdef.tags.target}"` });
      continue;
    }
    const model = modelFor(sdef, def, options);
    for (const shape of def.shapes) {
      if (shape.group !== sdef.tags.shapeGroup) continue;
      if (options.shapes && !options.shapes.includes(shape.name)) continue;
      cells.push({
        id: `${scenario}/${shape.name}`,
        scenario,
        shape: shape.name,
        tags: { ...stringTags(sdef.tags), scenario, shape: shape.name },
        origin: origin.replace(/\/+$/, ""),
        ...(sdef.tags.http === "2" && { http2: true }),
        request: buildRequest(shape, def.headers, host),
        expectStatus: shape.expectStatus,
        samples: options.samples ?? shape.samples,
        timeBudgetMs: options.timeBudgetMs ?? parseDuration(shape.timeBudget)!,
        model: capRate(model, shape.maxRate),
      });
    }
  }
  return { cells, skipped };
}

function modelFor(s: ScenarioDef, def: LatencyDefinition, options: PlanOptions): LoadModel {
  const kind = options.model ?? (s.executor === "constant-arrival-rate" ? "open" : "closed");
  if (kind === "closed") return { kind, vus: options.vus ?? (s.executor === "constant-vus" ? s.vus : def.engine.closedVus) };
  const scenarioRate = s.executor === "constant-arrival-rate" ? (s.rate * 1000) / parseDuration(s.timeUnit ?? "1s")! : undefined;
  const sharedRate = def.openModel ? ratePerSecond(def.openModel.rate, def.openModel.timeUnit) : undefined;
  return { kind, ratePerSec: options.ratePerSec ?? scenarioRate ?? sharedRate ?? 100 };
}

function capRate(model: LoadModel, maxRate: number | undefined): LoadModel {
  return model.kind === "open" && maxRate !== undefined && model.ratePerSec > maxRate ? { ...model, ratePerSec: maxRate } : model;
}

function stringTags(tags: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
}
