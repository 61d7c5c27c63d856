// The public surface of harness/run: what other folders, scripts, suites and tests use. Import it as
// ../run/index.ts; files inside harness/run import each other directly, never through this file.
export { splitGrep } from "./grep-args.ts";
export { loadRunInputs, prepareRun, type RunInputs } from "./prepare-run.ts";
export { compareProtocolPasses, protocolPasses } from "./protocol-passes.ts";
export { runSuitesForRecords, runSuitesInto } from "./run-suites-into.ts";
