import { cp, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { writeAllureResult, type ExtraResult } from "./allure-result.ts";

const ALLURE = resolve(import.meta.dirname, "../../node_modules/.bin/allure");

export interface AllurePaths {
  results: string;
  report: string;
  /** Trend data carried from run to run (the single-file report cannot hold it). */
  history: string;
}

export function allurePaths(reports: string): AllurePaths {
  return { results: join(reports, "allure-results"), report: join(reports, "allure-report"), history: join(reports, "allure-history") };
}

/** Empties the results of the last run and seeds them with the history of earlier runs (for trends). */
export async function prepareAllureResults(paths: AllurePaths): Promise<void> {
  await rm(paths.results, { recursive: true, force: true });
  if (await exists(paths.history)) await cp(paths.history, join(paths.results, "history"), { recursive: true });
}

/**
 * Generates `allure-report/index.html` as one file (opens from file://, attaches to CI artifacts) and keeps
 * the history folder of a regular build for the next run's trend charts. Needs Java (allure-commandline).
 */
export async function generateAllureReport(paths: AllurePaths, name?: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "wafcheck-allure-"));
  try {
    // Both at once: each is a JVM that spends most of its time starting up.
    await Promise.all([
      execa(ALLURE, ["generate", paths.results, "-o", paths.report, "--clean", "--single-file", ...(name ? ["--name", name] : [])]),
      execa(ALLURE, ["generate", paths.results, "-o", scratch, "--clean"]),
    ]);
    await rm(paths.history, { recursive: true, force: true });
    await cp(join(scratch, "history"), paths.history, { recursive: true });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return join(paths.report, "index.html");
}

/** generateAllureReport, but a report that cannot be made (no Java) is one line of output, not a failed command. */
export async function generateAllureReportOrSay(paths: AllurePaths, name: string | undefined, log: (line: string) => void): Promise<string | undefined> {
  return generateAllureReport(paths, name).catch((error: Error) => {
    log(`Allure report not generated (needs Java 17+): ${error.message.split("\n")[0]}`);
    return undefined;
  });
}

/** A command whose Allure report is its own results: the last run's replaced (history kept), these written, the report made. */
export async function publishAllureResults(reports: string, results: readonly ExtraResult[], name: string, log: (line: string) => void): Promise<void> {
  const paths = allurePaths(reports);
  await prepareAllureResults(paths);
  for (const result of results) await writeAllureResult(paths.results, result);
  await generateAllureReportOrSay(paths, name, log);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
