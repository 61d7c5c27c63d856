import { cpus, tmpdir } from "node:os";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { UserError } from "../errors.ts";
import { createDispatcher, type Target } from "../http/index.ts";
import { computeDrift, describeDrift, readJsonIfPresent, type Drift, type ExtraResult, type RunVerdicts, type StepOutput, type VerdictsFile } from "../report/index.ts";
import { prepareRun, type RunInputs } from "../run/index.ts";
import { dryRunEntry, RUN_CONTEXT_VARIABLE, shardTotal, Throttle, workersArgs, type DryRunEntry } from "../engine/index.ts";
import { canaryFor, describeBanned, runCanary, type CanaryResult } from "./canary.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PLAYWRIGHT = join(ROOT, "node_modules/.bin/playwright");
const TSX = join(ROOT, "node_modules/.bin/tsx");

export interface RemoteRunInput {
  target: Target;
  /** The run's validated inputs (manifest, corpus, exceptions). */
  inputs: RunInputs;
  /** Playwright arguments the user passed (after `--`). */
  argv: string[];
  dryRun: boolean;
  reports: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface PreparedRemoteRun {
  /** Playwright arguments to use (workers capped to the target's concurrency). */
  argv: string[];
  /** After the suites: the canary and the drift of this run's verdicts, as sections and a result of the run model. */
  finish(verdicts: RunVerdicts | undefined): StepOutput;
}

/**
 * Everything a remote run does around the suites: cap the workers, `--dry-run` (list, send nothing), the
 * canary (abort unless the WAF answers as configured), and a local baseline for drift.
 * Returns an exit code instead when the run ends here (dry run).
 */
export async function prepareRemoteRun(input: RemoteRunInput): Promise<PreparedRemoteRun | { exitCode: number }> {
  const { target, log } = input;
  const concurrency = target.concurrency ?? 2;
  const defaultWorkers = input.env.CI ? 2 : Math.max(1, Math.floor(cpus().length / 2));
  let capped: { argv: string[]; workers: number };
  try {
    capped = workersArgs(input.argv, concurrency, defaultWorkers);
  } catch (error) {
    throw new UserError(`WAF_TARGET=${target.name}: ${(error as Error).message}`);
  }
  const shards = shardTotal(input.argv);
  const limits = `at most ${target.rateLimit ?? "unlimited"} req/s and ${concurrency} in flight (${capped.workers} worker(s)${shards > 1 ? `; this shard takes 1/${shards} of both` : ""})`;

  if (input.dryRun) return { exitCode: await dryRun(input, capped.argv, limits) };

  log(`target ${target.name}: ${target.baseUrl}${target.hostHeader ? ` (Host: ${target.hostHeader})` : ""}, ${limits}`);
  const dispatcher = createDispatcher(target);
  let canary: CanaryResult;
  try {
    canary = await runCanary({ target, dispatcher, manifest: input.inputs.manifest, throttle: new Throttle(target.rateLimit ?? 10, 1), log });
  } finally {
    await dispatcher.close();
  }
  const baseline = await driftBaseline(input);
  return {
    argv: capped.argv,
    finish: (verdicts) => finishRemoteRun(input, canary, baseline, verdicts),
  };
}

/** Lists what a run would send (canary first, then every suite request, secrets redacted); sends nothing. */
async function dryRun(input: RemoteRunInput, argv: string[], limits: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-dry-run-"));
  const file = join(dir, "requests.jsonl");
  await writeFile(file, "");
  const prepared = await prepareRun(input.inputs, { target: { name: input.target.name, url: input.target.baseUrl }, dryRunFile: file, scratchDir: dir });
  try {
    const run = await execa(PLAYWRIGHT, ["test", "--reporter=null", ...argv], {
      cwd: ROOT,
      env: { [RUN_CONTEXT_VARIABLE]: prepared.contextFile, WAF_REPORTS_DIR: dir },
      reject: false,
      all: true,
    });
    const entries = (await readFile(file, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as DryRunEntry);
    if (run.exitCode !== 0 && entries.length === 0) throw new UserError(`dry run: listing the suites failed: ${String(run.all).trim().split("\n").slice(-3).join(" | ")}`);
    const canary = canaryFor(input.inputs.manifest);
    const probes = [canary.normal, ...canary.banned.map((b) => b.spec)];
    const all = [...probes.map((spec) => dryRunEntry(input.target, spec, input.target.baseUrl)), ...entries];
    const { target } = input;
    console.log(`# dry run: nothing was sent. Target ${target.name}: ${target.baseUrl}${target.hostHeader ? `, Host ${target.hostHeader}` : ""}`);
    console.log(`# allowlist: ${target.allowlist.join(", ")}; ${limits}`);
    console.log(`# ${all.length} request(s) would be sent: ${probes.length} canary requests first (the run stops unless the normal one gets 200 and ${describeBanned(canary)} 403), then the suites`);
    for (const e of all) console.log(`${e.id}\t${e.method} ${e.url}\n  ${e.curl}`);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Baseline {
  file: VerdictsFile;
  source: string;
}

/**
 * The local run that drift compares with: WAF_DRIFT_BASELINE (a verdicts.json of a local run of the same
 * manifest, e.g. from CI's local job), or else a local run of the same suites started here.
 * WAF_DRIFT=off skips drift.
 */
async function driftBaseline(input: RemoteRunInput): Promise<Baseline | undefined> {
  if (input.env.WAF_DRIFT === "off") {
    input.log("drift: skipped (WAF_DRIFT=off)");
    return undefined;
  }
  const given = input.env.WAF_DRIFT_BASELINE;
  if (given) return givenDriftBaseline(given, input.inputs.manifest.pluginConfigSha256);
  input.log("drift: running the same suites against a local stack first (set WAF_DRIFT_BASELINE to reuse a local run's verdicts.json, or WAF_DRIFT=off)");
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-baseline-"));
  const run = await execa(TSX, [join(ROOT, "scripts/waf.ts"), ...input.argv], {
    cwd: ROOT,
    env: { WAF_TARGET: "local", WAF_REPORTS_DIR: dir, WAF_DRIFT_BASELINE: "", [RUN_CONTEXT_VARIABLE]: "" },
    reject: false,
    all: true,
  });
  const file = (await readJsonIfPresent(join(dir, "verdicts.json"))) as VerdictsFile | undefined;
  await rm(dir, { recursive: true, force: true });
  if (!file?.requests || (run.exitCode !== 0 && run.exitCode !== 1)) {
    const last = String(run.all).trim().split("\n").filter((l) => l.startsWith("wafcheck:")).pop() ?? String(run.all).trim().split("\n").pop();
    throw new UserError(`drift baseline: the local run failed (${last ?? `exit ${run.exitCode}`}); set WAF_DRIFT=off to run without drift`);
  }
  input.log(`drift: local baseline has ${Object.keys(file.requests).length} request verdict(s) (Envoy ${file.stack?.envoyVersion ?? "?"})`);
  return { file, source: "local run of the same manifest and suites (started by this run)" };
}

/** WAF_DRIFT_BASELINE: a local run's verdicts.json, of the same manifest (checked by its pluginConfig hash). */
export async function givenDriftBaseline(given: string, pluginConfigSha256: string): Promise<Baseline> {
  const file = (await readJsonIfPresent(resolve(given))) as VerdictsFile | undefined;
  if (!file?.requests) throw new UserError(`WAF_DRIFT_BASELINE=${given}: not a verdicts.json written by a local run`);
  if (file.pluginConfigSha256 !== pluginConfigSha256)
    throw new UserError(
      `WAF_DRIFT_BASELINE=${given}: made with pluginConfig sha256 ${file.pluginConfigSha256.slice(0, 12)}…, this run's manifest has ${pluginConfigSha256.slice(0, 12)}… (not the same manifest)`,
    );
  return { file, source: given };
}

function finishRemoteRun(input: RemoteRunInput, canary: CanaryResult, baseline: Baseline | undefined, verdicts: RunVerdicts | undefined): StepOutput {
  const canarySection = { target: input.target.name, passed: canary.ok, normal: canary.normal, banned: canary.banned };
  const drift = baseline && verdicts ? driftOf(verdicts, input.target.name, baseline, input.log) : undefined;
  return { sections: { canary: canarySection, ...(drift && { drift: drift.drift }) }, extraResults: drift ? [drift.result] : [] };
}

/**
 * A run's verdicts against the baseline: summary.json's `drift` section and its Allure result. Also after
 * `npm run waf:merge`, where the shards of a gateway's run come together.
 */
export function driftOf(verdicts: RunVerdicts, targetName: string, baseline: Baseline, log: (line: string) => void): { drift: Drift; result: ExtraResult } {
  const drift = computeDrift(baseline.file, verdicts, baseline.source);
  for (const line of describeDrift(drift)) log(`drift: ${line}`);
  return { drift, result: driftResult(targetName, drift) };
}

/** A result in the Allure report ("Drift" epic) whose attachment lists the differing cases. */
function driftResult(targetName: string, drift: Drift): ExtraResult {
  return {
    id: `wafcheck-drift-${targetName}`,
    name: `Drift: ${targetName} vs a local run of the same manifest`,
    status: drift.cases.length === 0 ? "passed" : "failed",
    message: describeDrift(drift).join("\n"),
    labels: [
      { name: "epic", value: "Drift" },
      { name: "feature", value: "Remote vs local verdicts" },
      { name: "suite", value: "drift" },
      { name: "target", value: targetName },
    ],
    parameters: [
      { name: "compared", value: String(drift.compared) },
      { name: "differing", value: String(drift.cases.length) },
    ],
    attachments: [{ name: "drift.json", content: `${JSON.stringify(drift, null, 2)}\n`, type: "application/json" }],
  };
}
