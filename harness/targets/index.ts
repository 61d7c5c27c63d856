// The public surface of harness/targets: what other folders, scripts, suites and tests use. Import it as
// ../targets/index.ts; files inside harness/targets import each other directly, never through this file.
export { LOCAL_HOST_HEADER, localTarget } from "./local-target.ts";
export { resolveRunTarget } from "./run-target.ts";
export { loadRemoteTarget, parseTargetsFile } from "./targets-file.ts";
