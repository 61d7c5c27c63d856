import type { WafRecord } from "./record.ts";
import type { RunContext } from "./run-context.ts";

/**
 * Records travel from the test workers to the reporters as one attachment per test: Playwright carries it across
 * processes (and across shards, in blob reports), so no side files are needed.
 */
export const RECORDS_ATTACHMENT = "wafcheck-records";

export function encodeRecords(records: ReadonlyArray<Readonly<WafRecord>>): Buffer {
  return Buffer.from(JSON.stringify(records));
}

export function decodeRecords(attachment: { name: string; body?: Buffer }): WafRecord[] {
  if (attachment.name !== RECORDS_ATTACHMENT || !attachment.body) return [];
  return JSON.parse(attachment.body.toString("utf8")) as WafRecord[];
}

/** Annotation a test adds before it skips: how many requests it stood for (summary.json counts them as skipped). */
export const REQUESTS_ANNOTATION = "wafcheck-requests";

/**
 * The run's context rides along with the records (a few KB per test): merging shards' blob reports on another
 * machine (`npm run waf:merge`) has no run context file, and every view needs the run's facts.
 */
export const RUN_ATTACHMENT = "wafcheck-run";

export function encodeRun(run: RunContext): Buffer {
  return Buffer.from(JSON.stringify(run));
}

export function decodeRun(attachment: { name: string; body?: Buffer }): RunContext | undefined {
  return attachment.name === RUN_ATTACHMENT && attachment.body ? (JSON.parse(attachment.body.toString("utf8")) as RunContext) : undefined;
}
