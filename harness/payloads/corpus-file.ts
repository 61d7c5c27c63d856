import { readFileSync } from "node:fs";
import type { ExpandedRequest } from "./expand.ts";

/** The expanded corpus a run validated once (written by harness/run/prepare-run.ts), read by every test worker. */
export function readCorpusFile(file: string): ExpandedRequest[] {
  return JSON.parse(readFileSync(file, "utf8")) as ExpandedRequest[];
}
