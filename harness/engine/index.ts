// The public surface of harness/engine: what other folders, scripts, suites and tests use. Import it as
// ../engine/index.ts; files inside harness/engine import each other directly, never through this file.
export { dryRunEntry, type DryRunEntry } from "./dry-run.ts";
export { Engine, type Exchanged } from "./engine.ts";
export type { EngineRequest, WafRecord } from "./record.ts";
export { decodeRecords, decodeRun, encodeRecords, encodeRun, RECORDS_ATTACHMENT, REQUESTS_ANNOTATION, RUN_ATTACHMENT } from "./records-attachment.ts";
export { reproducer } from "./reproduce.ts";
export { hasRunContext, newRunId, newScratchDir, readRunContext, RUN_CONTEXT_VARIABLE, writeRunContext, type RunContext } from "./run-context.ts";
export { limitsPerWorker, shardTotal, Throttle, throttleFor, workersArgs } from "./throttle.ts";
export { TransactionIndex, WafLog, type LoggedRule, type WafEvidence } from "./waf-log.ts";
