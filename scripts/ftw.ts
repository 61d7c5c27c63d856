// `npm run ftw`: the Core Rule Set's regression tests (ftw YAML) against the local stack (the WAF's own log, exact
// per request, so tests run in parallel) or, status codes only, against a gateway.
import { FTW_MANIFEST, FTW_OPTIONS_HELP, ftwExitCode, parseFtwArgs, prepareFtw, runFtwSuite, writeFtwReports } from "../harness/ftw/index.ts";
import { parseEnv, reportsDir } from "../harness/config/index.ts";
import { reportFatal } from "../harness/errors.ts";
import { allurePaths, generateAllureReportOrSay, prepareAllureResults, readSummary, summaryPathIn } from "../harness/report/index.ts";

const HELP = `Usage: npm run ftw [-- <dir|file.yaml …>] [options]

Runs ftw regression tests (the Core Rule Set's format) and reports each test's outcome.
Default tests: the CRS regression suite of the CRS version the plug-in embeds (fetched through
the Go module proxy into the module cache), with the plug-in's own Envoy ignore list.
Local stack (default): Envoy + the plug-in with WAF_PLUGIN (default: envoy-local/examples/ftw.yaml,
which includes @ftw-conf); each request's matched rules come from the WAF's own log, tied to the
request by its x-wafcheck-id header, so tests run in parallel and no marker requests are sent.
WAF_TARGET=<gateway>: status codes only: expect_ids means "blocked", no_expect_ids "let through",
an explicit status wins; anything else is reported undecidable, never passed. The canary (a normal
request 200, the banned header of WAF_PLUGIN's config 403) runs first; the target's rate and
concurrency caps apply.
${FTW_OPTIONS_HELP}
Writes reports/ftw-results.json, reports/ftw-junit.xml, the "ftw" section of reports/summary.json and
Allure results. npm run waf runs the same suite after the others when WAF_FTW is set.
Exit status: 0 all passed, 1 a test failed (or was forced to fail), 2 bad input (e.g. a malformed
ftw file: one line naming file, test and field), 3 the canary failed, 4 the local stack could not run.`;

async function main(): Promise<number> {
  const args = parseFtwArgs(process.argv.slice(2).filter((a) => a !== "--"));
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const log = (line: string) => console.error(`[ftw] ${line}`);
  const env = parseEnv();
  const local = env.WAF_TARGET === "local";
  // Locally the stack runs the configuration the CRS tests assume, unless WAF_PLUGIN names another; a gateway runs its own.
  const manifest = local && process.env.WAF_PLUGIN === undefined ? FTW_MANIFEST : env.WAF_PLUGIN;
  const reports = reportsDir();
  await readSummary(summaryPathIn(reports)); // a corrupt summary.json stops here, untouched
  const prepared = await prepareFtw(args, local, log);
  const outcome = await runFtwSuite(prepared, args, env, manifest, log);
  const allure = allurePaths(reports);
  await prepareAllureResults(allure);
  await writeFtwReports(outcome, reports, allure.results);
  const { section } = outcome;
  await generateAllureReportOrSay(allure, `ftw: ${section.passed}/${section.tests - section.ignored} CRS ${section.crsVersion} tests passed on ${section.target}`, log);
  for (const line of outcome.lines.failures) log(line);
  for (const line of outcome.lines.result) console.log(line);
  console.log(`${section.passed} passed, ${section.failed + section.forcedFail} failed`);
  return ftwExitCode(section);
}

main().then((code) => (process.exitCode = code), reportFatal);
