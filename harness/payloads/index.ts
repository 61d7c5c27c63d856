// The public surface of harness/payloads: what other folders, scripts, suites and tests use. Import it as
// ../payloads/index.ts; files inside harness/payloads import each other directly, never through this file.
export { browserHeaders } from "./browser.ts";
export { readCorpusFile } from "./corpus-file.ts";
export { auditExceptions, findGap, loadExceptions, type AcceptedGap } from "./exceptions.ts";
export { expandCases, type CaseMeta, type ExpandedRequest } from "./expand.ts";
export { CORPUS_GROUP_PREFIX, groupRequests, requestGrepText, selectedBy, type GroupableRequest, type RequestFilter } from "./groups.ts";
export { describeIssue } from "./issues.ts";
export { loadCorpus, payloadDirs } from "./load.ts";
export { owasp2025Name } from "./owasp-names.ts";
export { CASE_CLASSES, type CaseClass, type Placement } from "./schema.ts";
