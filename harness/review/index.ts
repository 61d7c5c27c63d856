// The public surface of harness/review: what other folders, scripts, suites and tests use. Import it as
// ../review/index.ts; files inside harness/review import each other directly, never through this file.
export { DEFAULT_MATRIX_VERSIONS, envoyMatrixAllure, envoyMatrixMarkdown, probeConformance } from "./envoy-matrix.ts";
export { probeEnvoyVersion, type EnvoyProbe } from "./envoy-probe.ts";
export { measureReviewCost, type CostSection, type SideTarget } from "./measure-cost.ts";
export { reviewHost, reviewManifest, SIDES, type Side } from "./review-manifest.ts";
export { reviewPlots } from "./review-plots.ts";
export { reviewAllureResults, reviewHeadline, reviewMarkdown, reviewSection, type ReviewSection } from "./review-report.ts";
export { ruleCounts, rulesDiff, rulesDiffMarkdown, type RulesDiff } from "./rules-diff.ts";
