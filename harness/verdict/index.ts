// The public surface of harness/verdict: what other folders, scripts, suites and tests use. Import it as
// ../verdict/index.ts; files inside harness/verdict import each other directly, never through this file.
export { judge, type Judgement } from "./expectation.ts";
export { allureCategories, kindOf, KINDS, kindTrace, RECORD_KINDS, type JunitOutcome, type RecordKind } from "./kinds.ts";
export { proxyChanges } from "./proxy-changes.ts";
export { classify, defaultVerdictPolicy, describeOutcome, masksUpstreamError, type Verdict, type VerdictPolicy } from "./verdict.ts";
