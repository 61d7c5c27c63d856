/** A latency section and its plots as one result in the Allure report (the probe's and `npm run latency`'s). */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { writeAllureResult, type ExtraResult } from "../report/index.ts";
import type { LatencySection } from "./report.ts";

export interface LatencyAllureInput {
  /** Stable id: Allure's history follows it from run to run. */
  id: string;
  name: string;
  status: ExtraResult["status"];
  message: string;
}

/** Where latency results sit in Allure's behaviours view (the probe's failure result too). */
export const LATENCY_LABELS = [
  { name: "epic", value: "Latency" },
  { name: "feature", value: "WAF overhead" },
  { name: "suite", value: "latency" },
];

/** The result with latency.json and every plot attached. */
export function latencyResult(section: LatencySection, plots: ReadonlyArray<{ path: string; content: string }>, input: LatencyAllureInput): ExtraResult {
  return {
    ...input,
    labels: LATENCY_LABELS,
    parameters: [
      { name: "wasm", value: section.wasmSource ?? "unknown" },
      ...(section.stack ? [{ name: "Envoy", value: section.stack.envoyVersion }] : []),
    ],
    attachments: [
      { name: "latency.json", content: `${JSON.stringify(section, null, 2)}\n`, type: "application/json" },
      ...plots.map((p) => ({ name: basename(p.path), content: p.content, type: "image/svg+xml" })),
    ],
  };
}

/** Writes the result with latency.json and every SVG in `plots` attached. */
export async function attachLatencyToAllure(resultsDir: string, section: LatencySection, plots: readonly string[], input: LatencyAllureInput): Promise<void> {
  const files = await Promise.all(plots.map(async (p) => ({ path: p, content: await readFile(p, "utf8") })));
  await writeAllureResult(resultsDir, latencyResult(section, files, input));
}
