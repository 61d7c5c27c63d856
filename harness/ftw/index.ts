// The public surface of harness/ftw: what other folders, scripts, suites and tests use. Import it as
// ../ftw/index.ts; files inside harness/ftw import each other directly, never through this file.
export { ftwExitCode } from "./ftw-report.ts";
export { FTW_MANIFEST, FTW_OPTIONS_HELP, ftwStepOutput, parseFtwArgs, prepareFtw, runFtwSuite, writeFtwReports, type FtwArgs, type PreparedFtw } from "./ftw-suite.ts";
export { crsTestsDir } from "./sources.ts";
