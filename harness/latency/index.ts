// The public surface of harness/latency: what other folders, scripts, suites and tests use. Import it as
// ../latency/index.ts; files inside harness/latency import each other directly, never through this file.
export { attachLatencyToAllure } from "./allure.ts";
export { benchmarkManifest } from "./bench-plugin-config.ts";
export { parseDuration } from "./duration.ts";
export { emitK6Operator } from "./emit-k6-operator.ts";
export { assertLoopbackOrigin, errorCode, runCells, type CellResult, type CellSpec, type EngineOptions, type LoadModel } from "./engine.ts";
export { measureEngineFloor, type EngineFloor } from "./floor.ts";
export { latencyGateLines, latencyGateOptions, type LatencyGateOptions } from "./gates.ts";
export { h2Twin, withHttp2 } from "./http2-scenarios.ts";
export { testRunCrd, validateTestRun } from "./k6-operator.ts";
export { REMOTE_SCENARIOS } from "./k6-options.ts";
export { startLoopbackServer } from "./loopback.ts";
export { writeLatencyPlots } from "./plots.ts";
export { latencyProbe } from "./probe.ts";
export { buildLatencySection, formatOverheadLine, mergeLatencyIntoSummary, type LatencySection, type StackFacts } from "./report.ts";
export { DEFAULT_DEFINITION, engineOptionsFrom, loadDefinition, planCells, type LatencyDefinition } from "./scenarios.ts";
export { buildRequest } from "./shape-request.ts";
export { mulberry32 } from "./prng.ts";
export { bootstrapOverhead, isEstimable, notEstimable, quantileSorted } from "./stats.ts";
export { evaluateThresholds } from "./thresholds.ts";
