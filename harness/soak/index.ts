// The public surface of harness/soak: what scripts and tests use. Import it as ../soak/index.ts; files inside
// harness/soak import each other directly, never through this file.
export { analyseSoak, MB, soakGates, warmupWindowsOf, type GateResult, type SoakFigures, type SoakGateOptions, type SoakWindow } from "./analysis.ts";
export { soakPlotSpec, type SoakSection } from "./report.ts";
export { runSoak, SOAK_DEFAULTS, SOAK_PLOT, soakDurationMs, type SoakOptions } from "./soak.ts";
export { fitSlope, tQuantile975 } from "./stats.ts";
export { compareSoaks, growthDifference, soakComparisonMarkdown, soakComparisonPlotSpec, type SoakComparison } from "./compare.ts";
export { soakOn, soakShapes, startSoakStack, type SoakShapes, type SoakStack } from "./soak.ts";
