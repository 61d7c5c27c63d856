import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "./write-atomic.ts";

/**
 * reports/summary.json for the commands that add one section of their own (npm run latency, review, the paranoia
 * matrix, npm run ftw); npm run waf renders the whole file from its run model (render-run.ts). The file is read
 * strictly (a corrupt one stops the run with exit 2 and stays as it is: it may hold another run's results) and
 * replaced atomically, keeping every key the producer does not set.
 */
export function summaryPathIn(reportsDir: string): string {
  return join(reportsDir, "summary.json");
}

/** The summary as it is on disk; undefined when there is none yet; an unreadable or corrupt file is a user error. */
export async function readSummary(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`${shown(path)}: cannot read it (${(error as Error).message}); nothing was written`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`${shown(path)} is corrupt (${(error as Error).message.split("\n")[0]}): it was left as it is and nothing was written; fix or move it away and run again`);
  }
}

/** Read-modify-write: `update` gets the current summary ({} when none) and returns the next one. */
export async function updateSummary(path: string, update: (previous: Record<string, unknown>) => Record<string, unknown>): Promise<Record<string, unknown>> {
  const next = update((await readSummary(path)) ?? {});
  await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** Sets the given top-level sections, keeping the rest (e.g. `latency` from npm run latency survives npm run waf). */
export function mergeSummarySections(path: string, sections: Record<string, unknown>): Promise<Record<string, unknown>> {
  return updateSummary(path, (previous) => ({ ...previous, ...sections }));
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path;
}
