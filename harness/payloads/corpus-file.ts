import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExpandedRequest } from "./expand.ts";

/** The expanded corpus as one JSON file, validated once by the orchestrator and read by every test worker. */
export async function writeCorpusFile(requests: readonly ExpandedRequest[]): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "wafcheck-corpus-")), "corpus.json");
  await writeFile(file, JSON.stringify(requests));
  return file;
}

export function readCorpusFile(file: string): ExpandedRequest[] {
  return JSON.parse(readFileSync(file, "utf8")) as ExpandedRequest[];
}
