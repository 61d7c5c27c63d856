// The public surface of harness/report: what other folders, scripts, suites and tests use. Import it as
// ../report/index.ts; files inside harness/report import each other directly, never through this file.
export { writeAllureResult, type ExtraResult } from "./allure-result.ts";
export { allurePaths, generateAllureReport, generateAllureReportOrSay, prepareAllureResults, publishAllureResults } from "./allure.ts";
export { countRecords, describeRate } from "./counts.ts";
export type { Detection } from "./detection.ts";
export { readHandedOver } from "./handed-over.ts";
export { esc } from "./junit.ts";
export { matrixRow, matrixSpec, type MatrixRow } from "./paranoia-matrix.ts";
export { compareProtocols, differenceLine, protocolDifferenceResult, type ProtocolComparison } from "./protocol-diff.ts";
export { publishRun, type Published } from "./publish-run.ts";
export { requestVerdicts, verdictsFileOf } from "./record-views.ts";
export { RECORDS_FILE_VARIABLE, type HandedOver } from "./records-reporter.ts";
export { corazaVersionFor } from "./render-run.ts";
export { renderSvg } from "./render-svg.ts";
export { buildRunModel, carriedSections, joinSteps, type RecordSet, type RunOutcome, type StepOutput } from "./run-model.ts";
export { mergeSummarySections, readSummary, summaryPathIn, updateSummary } from "./summary-store.ts";
export { ATTACK_JUDGEMENTS, BENIGN_JUDGEMENTS, CHANGE_KINDS, regressions, verdictDiff, type ChangeKind, type RequestChange, type VerdictDiff } from "./verdict-diff.ts";
export { computeDrift, describeDrift, type Drift, type RunVerdicts, type VerdictsFile } from "./verdicts.ts";
export { readJsonIfPresent, writeFileAtomic } from "./write-atomic.ts";
