// Publishes a run: every view rendered into a staging folder, then swapped in whole. An earlier run's outputs never
// survive a run that sent traffic: a render that throws still publishes a first screen that says the run failed.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { generateAllureReport } from "./allure.ts";
import { HEATMAP_FILE, renderFailedRun, renderRun, RULES_PLOT_FILE, type Rendered } from "./render-run.ts";
import type { RunModel } from "./run-model.ts";

/** What a run of the suites writes into the reports folder: all of it is replaced (or removed) by the next run. */
export const RUN_OUTPUTS = [
  "summary.json", "summary.md", "index.html", "verdicts.json", "junit.xml", "allure-results", "allure-report", "replays", "http2",
  "ftw-results.json", "ftw-junit.xml", "latency-probe-distribution.svg", "latency-probe-overhead.svg", HEATMAP_FILE, RULES_PLOT_FILE,
];

export interface Published extends Rendered {
  /** allure-report/index.html, when Java could make it. */
  allureReport?: string;
  /** The run failed (before or while rendering): exit 1 whatever the suites said. */
  failed: boolean;
}

/**
 * The history key of a run: target, pluginConfig and what ran. A DetectionOnly run, a --grep run or an ftw run
 * never shares a trend line with the default configuration.
 */
export function historyKey(model: Pick<RunModel, "target" | "manifest" | "selection" | "sections">): string {
  const suites = ["suites", model.sections.ftw !== undefined && "ftw", model.sections.grpc !== undefined && "grpc"].filter(Boolean).join("+");
  const identity = JSON.stringify([model.target.name, model.manifest.pluginConfigSha256, suites, model.selection ?? ""]);
  return `${model.target.name.replace(/[^\w.-]/g, "_")}-${createHash("sha256").update(identity).digest("hex").slice(0, 12)}`;
}

export async function publishRun(model: RunModel, reportsDir: string, log: (line: string) => void, options: { allure?: boolean } = {}): Promise<Published> {
  await mkdir(reportsDir, { recursive: true });
  const staging = join(reportsDir, `.staging-${model.run.id}`);
  const historyRoot = join(reportsDir, "allure-history", historyKey(model));
  const buildOrder = (await trendLength(historyRoot)) + 1;
  let rendered: Rendered;
  let failed = model.outcome.status === "failed";
  let renderFailed = false;
  // A staging folder left by a killed run is no output of anyone's.
  for (const name of await readdir(reportsDir)) if (name.startsWith(".staging-")) await rm(join(reportsDir, name), { recursive: true, force: true });
  try {
    rendered = await renderRun(model, staging, { from: historyRoot, buildOrder });
  } catch (error) {
    const message = (error as Error)?.message?.split("\n")[0] ?? String(error);
    log(`rendering the reports failed (${message}): publishing a first screen that says the run failed`);
    failed = renderFailed = true;
    await rm(staging, { recursive: true, force: true });
    const failedModel: RunModel = { ...model, outcome: { status: "failed", stage: "render", error: message } };
    rendered = await renderFailedRun(failedModel, staging);
  }
  let allureReport: string | undefined;
  const stagedHistory = join(staging, ".allure-history");
  if (options.allure !== false && !renderFailed) {
    const generated = await generateAllureReport({ results: join(staging, "allure-results"), report: join(staging, "allure-report"), history: stagedHistory }, rendered.overview.headline).catch((error: Error) => {
      log(`Allure report not generated (needs Java 17+): ${error.message.split("\n")[0]}`);
      return undefined;
    });
    if (generated) {
      allureReport = join(reportsDir, "allure-report", "index.html");
      // This configuration's trend goes on from here (allure-history/<key>/); other configurations' stay as they were.
      await rm(historyRoot, { recursive: true, force: true });
      await dropFlatHistory(join(reportsDir, "allure-history"));
      await rename(stagedHistory, historyRoot);
    }
  }
  await rm(stagedHistory, { recursive: true, force: true });
  await swapIn(staging, reportsDir);
  return { ...rendered, ...(allureReport && { allureReport }), failed };
}

/** Removes every earlier run output, then moves the staged ones in (renames within one folder: quick, no copies). */
async function swapIn(staging: string, reportsDir: string): Promise<void> {
  const staged = new Set(await readdir(staging));
  for (const name of RUN_OUTPUTS) if (!staged.has(name)) await rm(join(reportsDir, name), { recursive: true, force: true });
  for (const name of staged) {
    const target = join(reportsDir, name);
    const old = join(staging, `.old-${name}`);
    await rename(target, old).catch(() => undefined);
    await rename(join(staging, name), target);
  }
  await rm(staging, { recursive: true, force: true });
}

/** Trend files of the old layout (one history for every configuration) mixed configurations: they go. */
async function dropFlatHistory(root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const entry of await readdir(root, { withFileTypes: true })) if (entry.isFile()) await rm(join(root, entry.name), { force: true });
}

async function trendLength(historyDir: string): Promise<number> {
  try {
    const trend = JSON.parse(await readFile(join(historyDir, "history-trend.json"), "utf8")) as unknown[];
    return Array.isArray(trend) ? trend.length : 0;
  } catch {
    return 0;
  }
}
