import { resolve } from "node:path";
import { execa } from "execa";
import { allurePaths, prepareAllureResults, readHandedOver, type HandedOver } from "../report/index.ts";
import type { StackInfo } from "../stack/index.ts";
import type { HttpVersion } from "../http/index.ts";
import { prepareRun, type RunInputs } from "./prepare-run.ts";
import { RUN_CONTEXT_VARIABLE, type RunContext } from "../engine/index.ts";

const PLAYWRIGHT = resolve(import.meta.dirname, "../../node_modules/.bin/playwright");

/**
 * The suites through one Host of a running local stack (or a remote target), into a reports folder of their own (a
 * paranoia level of the matrix, a side of a review, the HTTP/2 pass of WAF_HTTP=both): a fresh run context, fresh
 * Allure results, Playwright with the records reporter. Returns Playwright's exit code; what ran is in the folder's
 * summary.json and verdicts.json.
 */
export async function runSuitesInto(
  inputs: RunInputs,
  dir: string,
  options: { stack?: StackInfo; target?: { name: string; url: string }; hostHeader?: string; http?: HttpVersion; requestFilter?: RunContext["requestFilter"]; playwrightArgs: readonly string[] },
): Promise<number | undefined> {
  return (await runSuites(inputs, dir, options, false)).exitCode;
}

/** The same, but the records come back (for the run model of npm run waf) instead of reports in `dir`. */
export async function runSuitesForRecords(
  inputs: RunInputs,
  options: Parameters<typeof runSuitesInto>[2],
): Promise<{ exitCode: number | undefined; handedOver?: HandedOver }> {
  return runSuites(inputs, inputs.reportsDir, options, true);
}

async function runSuites(
  inputs: RunInputs,
  dir: string,
  options: Parameters<typeof runSuitesInto>[2],
  handOver: boolean,
): Promise<{ exitCode: number | undefined; handedOver?: HandedOver }> {
  const target = options.target ?? { name: "local", url: options.stack?.gatewayUrl ?? "" };
  const run = await prepareRun(
    { ...inputs, reportsDir: dir },
    {
      target, ...(options.stack && { stack: options.stack }), ...(options.hostHeader && { hostHeader: options.hostHeader }),
      ...(options.http && { http: options.http }), ...(options.requestFilter && { requestFilter: options.requestFilter }), handOver,
    },
  );
  try {
    if (!handOver) await prepareAllureResults(allurePaths(dir));
    const child = await execa(PLAYWRIGHT, ["test", ...options.playwrightArgs, "--reporter=dot,./harness/report/records-reporter.ts"], {
      env: { [RUN_CONTEXT_VARIABLE]: run.contextFile, WAF_REPORTS_DIR: dir },
      stdio: ["ignore", "ignore", "inherit"],
      reject: false,
    });
    const handedOver = run.context.recordsFile ? await readHandedOver(run.context.recordsFile) : undefined;
    return { exitCode: child.exitCode, ...(handedOver && { handedOver }) };
  } finally {
    await run.cleanup();
  }
}
