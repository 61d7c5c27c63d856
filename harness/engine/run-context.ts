import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { ConfigFacts, Requirement } from "../manifest/index.ts";
import type { AcceptedGap } from "../payloads/index.ts";
import type { StackInfo } from "../stack/index.ts";
import type { HttpVersion } from "../http/index.ts";

/**
 * Everything a run's processes share (the orchestrator, Playwright's workers, its reporters), written once as one
 * typed file. Its path is the only internal variable handed down: WAF_RUN_CONTEXT.
 */
export interface RunContext {
  schemaVersion: 1;
  runId: string;
  startedAt: string;
  target: { name: string; url: string; targetsFile: string };
  manifest: { source: string; pluginConfigSha256: string };
  /** The local stack (local runs only). */
  stack: StackInfo | null;
  /** Local runs: the Host to send (selects a directive set by per_authority_directives, e.g. the paranoia matrix). */
  hostHeader?: string;
  /** The HTTP version this pass speaks (WAF_HTTP=both runs one pass per version); absent: 1.1. */
  http?: HttpVersion;
  /** The run's blocking paranoia level and the manifest's settings cases may require. */
  paranoia: number;
  capabilities: Requirement[];
  /** The tested directive set in a reviewer's terms: engine mode, thresholds, exclusions, includes. */
  config: ConfigFacts;
  /** The expanded corpus, validated once (JSON). */
  corpusFile: string;
  /** WAF_OPENAPI / --openapi: the requests built from the OpenAPI descriptions (JSON; suites/openapi sends them). */
  openapiFile?: string;
  gaps: AcceptedGap[];
  reportsDir: string;
  /** A remote dry run: list every request here, send nothing. */
  dryRunFile?: string;
  /** The user's --grep / --grep-invert, applied to each corpus request (ids, titles, tags). */
  requestFilter?: { grep?: string; grepInvert?: string };
  /** npm run waf: the reporter hands the records over in this file (the orchestrator renders the run model). */
  recordsFile?: string;
  /** Scratch files of this run (corpus, Envoy's log): removed at the end unless WAF_KEEP_LOGS=on. */
  scratchDir: string;
}

export const RUN_CONTEXT_VARIABLE = "WAF_RUN_CONTEXT";

const contextShape = z.looseObject({
  schemaVersion: z.literal(1),
  runId: z.string().min(1),
  target: z.looseObject({ name: z.string(), url: z.string(), targetsFile: z.string() }),
  corpusFile: z.string(),
  reportsDir: z.string(),
  scratchDir: z.string(),
});

export async function newScratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "wafcheck-run-"));
}

export function newRunId(): string {
  return randomUUID().slice(0, 8);
}

/** Writes the context into its scratch dir; returns the path to hand down in WAF_RUN_CONTEXT. */
export async function writeRunContext(context: RunContext): Promise<string> {
  const file = join(context.scratchDir, "run-context.json");
  await writeFile(file, JSON.stringify(context, null, 1));
  return file;
}

let cached: { file: string; context: RunContext } | undefined;

/** The run's context, from WAF_RUN_CONTEXT (read once per process). */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const file = env[RUN_CONTEXT_VARIABLE];
  if (!file) throw new Error(`${RUN_CONTEXT_VARIABLE} is not set: start the suites with npm run waf (or npx playwright test, whose global setup writes it)`);
  if (cached?.file === file) return cached.context;
  const parsed = contextShape.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: not a wafcheck run context (${parsed.error.issues[0]?.message})`);
  cached = { file, context: parsed.data as unknown as RunContext };
  return cached.context;
}

export function hasRunContext(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[RUN_CONTEXT_VARIABLE]);
}
