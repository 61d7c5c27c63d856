// The run model: everything one run measured, built in memory by the run and validated once. Every output
// (terminal summary, summary.json, summary.md, index.html, verdicts.json, JUnit, Allure) is a render of it
// (render-run.ts); nothing reads an output back to amend it.
import { z } from "zod";
import type { RuleCatalog } from "../crs/index.ts";
import type { RunContext, WafRecord } from "../engine/index.ts";
import type { ConfigFacts } from "../manifest/index.ts";
import type { OpenApiGeneration } from "../openapi/index.ts";
import type { ExtraResult } from "./allure-result.ts";
import type { RecordlessTest } from "./record-views.ts";

export interface RecordSet {
  records: WafRecord[];
  recordless: RecordlessTest[];
}

/** A run's own sections of summary.json beyond the records' (each a step's result, held as the step returned it). */
export interface RunSections {
  /** WAF_OPENAPI / --openapi: what the generation made (summary.json openapi adds the findings from the records). */
  openapi?: OpenApiGeneration;
  latency?: unknown;
  latencyProbe?: unknown;
  grpc?: unknown;
  ftw?: unknown;
  canary?: unknown;
  drift?: unknown;
  /** WAF_HTTP=both: the comparison of the two passes (protocol-diff.ts). */
  http?: unknown;
  protocolDifferences?: unknown[];
}

export type RunOutcome = { status: "completed" } | { status: "failed"; stage: string; error: string };

export interface RunModel extends RecordSet {
  schemaVersion: 1;
  outcome: RunOutcome;
  run: { id: string; startedAt: string; finishedAt: string };
  target: { name: string; url: string };
  stack: RunContext["stack"];
  manifest: { source: string; pluginConfigSha256: string };
  config: ConfigFacts;
  paranoia: number;
  http?: "1.1" | "2";
  corazaVersion?: string;
  /** WAF_HTTP=both: the HTTP/2 pass's records (rendered into http2/ and beside the HTTP/1.1 ones in Allure). */
  http2Pass?: RecordSet;
  sections: RunSections;
  /** Sections other commands wrote into summary.json (npm run latency's benchmark, review, matrices), carried as they were. */
  carried: Record<string, unknown>;
  /** Allure results of the run's steps that are not records (latency probe, gRPC calls, ftw tests, drift…). */
  extraResults: ExtraResult[];
  /** Files of the run's steps (plots, ftw-results.json…), by path relative to the reports folder. */
  files: Array<{ path: string; content: string | Buffer }>;
  /** --grep/--grep-invert: the selection this run made (part of its history key). */
  selection?: string;
  /** The CRS rules the run's configuration loads (rule coverage is counted against them), or why they are not known. */
  ruleCatalog?: RuleCatalog | { unavailable: string };
}

/** Sections a run of `npm run waf` writes itself: never carried over from an earlier summary.json. */
export const RUN_SECTION_KEYS = ["schemaVersion", "generatedAt", "target", "stack", "suites", "run", "detection", "counts", "latencyProbe", "grpc", "ftw", "canary", "drift", "http", "rules", "openapi"] as const;

/** What a run started with, plus the records and steps it produced. */
export function buildRunModel(input: {
  context: RunContext;
  main: RecordSet;
  http2Pass?: RecordSet;
  sections?: RunSections;
  previousSummary?: Record<string, unknown>;
  extraResults?: ExtraResult[];
  files?: RunModel["files"];
  outcome?: RunOutcome;
  corazaVersion?: string;
  ruleCatalog?: RunModel["ruleCatalog"];
  now?: Date;
}): RunModel {
  const c = input.context;
  const sort = (rs: readonly WafRecord[]) => [...rs].sort((a, b) => a.suite.localeCompare(b.suite) || a.id.localeCompare(b.id));
  const selection = [c.requestFilter?.grep && `grep ${c.requestFilter.grep}`, c.requestFilter?.grepInvert && `grep-invert ${c.requestFilter.grepInvert}`].filter(Boolean).join(", ");
  const model: RunModel = {
    schemaVersion: 1,
    outcome: input.outcome ?? outcomeOf(input.main),
    run: { id: c.runId, startedAt: c.startedAt, finishedAt: (input.now ?? new Date()).toISOString() },
    target: { name: c.target.name, url: c.target.url },
    stack: c.stack,
    manifest: c.manifest,
    config: c.config,
    paranoia: c.paranoia,
    ...(c.http && { http: c.http }),
    ...(input.corazaVersion && { corazaVersion: input.corazaVersion }),
    records: sort(input.main.records),
    recordless: input.main.recordless,
    ...(input.http2Pass && { http2Pass: { records: sort(input.http2Pass.records), recordless: input.http2Pass.recordless } }),
    sections: input.sections ?? {},
    carried: carriedSections(input.previousSummary),
    extraResults: input.extraResults ?? [],
    files: input.files ?? [],
    ...(selection && { selection }),
    ...(input.ruleCatalog && { ruleCatalog: input.ruleCatalog }),
  };
  return validateRunModel(model);
}

/** A run whose suites produced no record at all did not run: it failed, whatever Playwright said. */
function outcomeOf(main: RecordSet): RunOutcome {
  if (main.records.length > 0 || main.recordless.length > 0) return { status: "completed" };
  return { status: "failed", stage: "suites", error: "the suites produced no record (Playwright did not run a test)" };
}

/** Other commands' sections of the previous summary.json, kept as they are (never this run's own keys). */
export function carriedSections(previous: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!previous) return {};
  const own = new Set<string>(RUN_SECTION_KEYS);
  // An earlier run's probe is that run's figure: only a full benchmark (npm run latency) is carried.
  const probe = (v: unknown) => (v as { run?: { kind?: string } } | null)?.run?.kind === "probe";
  return Object.fromEntries(Object.entries(previous).filter(([k, v]) => !own.has(k) && !(k === "latency" && probe(v))));
}

const recordShape = z.looseObject({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  suite: z.string().min(1),
  meta: z.looseObject({ expect: z.enum(["block", "allow"]), class: z.string() }),
  sent: z.looseObject({ method: z.string(), url: z.string(), reproducer: z.string() }),
  response: z.looseObject({ kind: z.enum(["response", "error"]), elapsedMs: z.number() }),
  verdict: z.enum(["allowed", "blocked", "rejected-by-proxy", "infra"]),
  judgement: z.enum(["true-positive", "bypass", "accepted-gap", "true-negative", "false-positive", "rejected-by-proxy", "changed-by-proxy", "infra"]),
  informational: z.boolean(),
  fails: z.boolean(),
  message: z.string(),
});
const recordSetShape = z.object({
  records: z.array(recordShape),
  recordless: z.array(z.object({ suite: z.string(), title: z.string(), status: z.enum(["skipped", "failed"]), requests: z.number().int().nonnegative(), reason: z.string() })),
});

/** The one schema of the run model: a render never meets a malformed record. */
export const runModelShape = z.looseObject({
  schemaVersion: z.literal(1),
  outcome: z.union([z.object({ status: z.literal("completed") }), z.object({ status: z.literal("failed"), stage: z.string(), error: z.string() })]),
  run: z.object({ id: z.string().min(1), startedAt: z.string(), finishedAt: z.string() }),
  target: z.object({ name: z.string(), url: z.string() }),
  manifest: z.object({ source: z.string(), pluginConfigSha256: z.string() }),
  paranoia: z.number().int().min(1).max(4),
  ...recordSetShape.shape,
  http2Pass: recordSetShape.optional(),
  extraResults: z.array(z.looseObject({ id: z.string(), name: z.string(), status: z.enum(["passed", "failed", "broken", "skipped", "unknown"]) })),
  files: z.array(z.object({ path: z.string().regex(/^(?!\/)(?!.*\.\.)/, "a path inside the reports folder"), content: z.union([z.string(), z.instanceof(Buffer)]) })),
});

export function validateRunModel(model: RunModel): RunModel {
  const parsed = runModelShape.safeParse(model);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`run model: ${issue.path.join(".")}: ${issue.message}`);
  }
  return model;
}

/** What a step after the suites adds to the run (latency probe, gRPC, ftw, canary and drift, the protocol comparison). */
export interface StepOutput {
  sections?: RunSections;
  extraResults?: ExtraResult[];
  files?: RunModel["files"];
}

/** The steps' outputs as one (later steps' sections win; results and files add up). */
export function joinSteps(steps: ReadonlyArray<StepOutput | undefined>): Required<StepOutput> {
  const out: Required<StepOutput> = { sections: {}, extraResults: [], files: [] };
  for (const s of steps) {
    if (!s) continue;
    Object.assign(out.sections, s.sections);
    out.extraResults.push(...(s.extraResults ?? []));
    out.files.push(...(s.files ?? []));
  }
  return out;
}
