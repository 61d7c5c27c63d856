// The public surface of harness/remote: what other folders, scripts, suites and tests use. Import it as
// ../remote/index.ts; files inside harness/remote import each other directly, never through this file.
export { runCanary } from "./canary.ts";
export { checkGates } from "./gates.ts";
export { driftOf, givenDriftBaseline, prepareRemoteRun, type PreparedRemoteRun } from "./remote-run.ts";
