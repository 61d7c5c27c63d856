import { readFile } from "node:fs/promises";
import type { HandedOver } from "./records-reporter.ts";

/** The records a Playwright run handed over (records-reporter.ts); undefined when it wrote none (it did not get that far). */
export async function readHandedOver(file: string): Promise<HandedOver | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as HandedOver;
  if (!Array.isArray(parsed.records) || !Array.isArray(parsed.recordless) || !parsed.context) throw new Error(`${file}: not a wafcheck records file`);
  return parsed;
}
