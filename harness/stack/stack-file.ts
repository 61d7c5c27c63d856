import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackInfo } from "./stack.ts";

/** Hands the running stack's facts to Playwright workers and reporters (other processes) via a JSON file. */
export async function writeStackFile(info: StackInfo): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-stack-"));
  const file = join(dir, "stack.json");
  await writeFile(file, JSON.stringify(info, null, 2));
  return file;
}

export function readStackFile(file: string): StackInfo {
  return JSON.parse(readFileSync(file, "utf8")) as StackInfo;
}
