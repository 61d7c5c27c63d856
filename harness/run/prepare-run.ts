import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { reportsDir, type WafEnv } from "../config/index.ts";
import { capabilitiesOf, configFacts, loadRunManifest, paranoiaOfConfig, type LoadedManifest } from "../manifest/index.ts";
import { auditExceptions, expandCases, loadCorpus, loadExceptions, payloadDirs, type AcceptedGap, type ExpandedRequest } from "../payloads/index.ts";
import { planOpenApi, type OpenApiOptions, type OpenApiPlan } from "../openapi/index.ts";
import { readSummary, summaryPathIn } from "../report/index.ts";
import type { StackInfo } from "../stack/index.ts";
import type { HttpVersion } from "../http/index.ts";
import { newRunId, newScratchDir, writeRunContext, type RunContext } from "../engine/index.ts";

/** Everything a run reads from the user, validated before anything starts: bad input costs nothing and changes nothing. */
export interface RunInputs {
  env: WafEnv;
  /** The summary.json before this run: other commands' sections in it are carried over (run-model.ts). */
  previousSummary?: Record<string, unknown>;
  manifest: LoadedManifest;
  corpus: ExpandedRequest[];
  gaps: AcceptedGap[];
  reportsDir: string;
  /** WAF_OPENAPI / --openapi: the requests built from the descriptions, and what the generation found. */
  openapi?: OpenApiPlan;
}

export async function loadRunInputs(env: WafEnv, openapiOptions?: OpenApiOptions, log: (line: string) => void = () => {}): Promise<RunInputs> {
  const reports = reportsDir();
  const previousSummary = await readSummary(summaryPathIn(reports)); // a corrupt summary.json stops the run here (exit 2), untouched
  const manifest = await loadRunManifest(env);
  const cases = loadCorpus(payloadDirs());
  const corpus = expandCases(cases);
  const gaps = loadExceptions(payloadDirs());
  auditExceptions(gaps, corpus);
  const openapi = openapiOptions && (await planOpenApi(openapiOptions, paranoiaOfConfig(manifest.pluginConfig, env), log, cases));
  return { env, manifest, corpus, gaps, reportsDir: reports, ...(previousSummary && { previousSummary }), ...(openapi && { openapi }) };
}

export interface PreparedRun {
  context: RunContext;
  /** The value of WAF_RUN_CONTEXT for the run's processes. */
  contextFile: string;
  /** Removes the run's scratch files (the corpus copy, the context). */
  cleanup(): Promise<void>;
}

/** Writes the run's context (and the expanded corpus beside it) into a fresh scratch directory. */
export async function prepareRun(
  inputs: RunInputs,
  options: {
    target: { name: string; url: string }; stack?: StackInfo; hostHeader?: string; http?: HttpVersion; dryRunFile?: string; requestFilter?: RunContext["requestFilter"]; scratchDir?: string;
    /** The orchestrator renders the reports: the reporter hands its records over in the scratch folder. */
    handOver?: boolean;
  },
): Promise<PreparedRun> {
  const scratchDir = options.scratchDir ?? (await newScratchDir());
  const corpusFile = join(scratchDir, "corpus.json");
  await writeFile(corpusFile, JSON.stringify(inputs.corpus));
  const openapiFile = inputs.openapi && join(scratchDir, "openapi.json");
  if (openapiFile) await writeFile(openapiFile, JSON.stringify(inputs.openapi!.requests));
  const context: RunContext = {
    schemaVersion: 1,
    runId: newRunId(),
    startedAt: new Date().toISOString(),
    target: { ...options.target, targetsFile: inputs.env.WAF_TARGETS_FILE },
    manifest: { source: inputs.manifest.source, pluginConfigSha256: inputs.manifest.pluginConfigSha256 },
    stack: options.stack ?? null,
    ...(options.hostHeader && { hostHeader: options.hostHeader }),
    ...(options.http === "2" && { http: options.http }),
    paranoia: paranoiaOfConfig(inputs.manifest.pluginConfig, inputs.env),
    capabilities: [...capabilitiesOf(inputs.manifest.pluginConfig)],
    config: configFacts(inputs.manifest.pluginConfig),
    corpusFile,
    ...(openapiFile && { openapiFile }),
    gaps: inputs.gaps,
    reportsDir: inputs.reportsDir,
    ...(options.dryRunFile && { dryRunFile: options.dryRunFile }),
    ...(options.requestFilter && { requestFilter: options.requestFilter }),
    ...(options.handOver && { recordsFile: join(scratchDir, "records.json") }),
    scratchDir,
  };
  const contextFile = await writeRunContext(context);
  return { context, contextFile, cleanup: () => rm(scratchDir, { recursive: true, force: true }) };
}
