import { randomUUID } from "node:crypto";
import { extname, join } from "node:path";
import { writeFileAtomic } from "./write-atomic.ts";

export interface ExtraResult {
  /** Stable id: Allure's history and trend follow it from run to run. */
  id: string;
  name: string;
  status: "passed" | "failed" | "broken" | "skipped" | "unknown";
  message?: string;
  /** Shown above the attachments (HTML). */
  descriptionHtml?: string;
  fullName?: string;
  start?: number;
  stop?: number;
  labels: Array<{ name: string; value: string }>;
  parameters?: Array<{ name: string; value: string }>;
  attachments: Array<{ name: string; content: string; type: string }>;
}

/**
 * Adds a result that no Playwright test produced (drift, latency figures and plots, the paranoia matrix) to
 * the Allure results, so that the report shows it beside the tests.
 */
export async function writeAllureResult(resultsDir: string, extra: ExtraResult): Promise<void> {
  const uuid = randomUUID();
  const now = extra.start ?? Date.now();
  const attachments = [];
  for (const [i, a] of extra.attachments.entries()) {
    const source = `${uuid}-${i}-attachment${extname(a.name) || ".txt"}`;
    await writeFileAtomic(join(resultsDir, source), a.content);
    attachments.push({ name: a.name, source, type: a.type });
  }
  const result = {
    uuid,
    historyId: extra.id,
    testCaseId: extra.id,
    name: extra.name,
    fullName: extra.fullName ?? extra.id,
    ...(extra.descriptionHtml && { descriptionHtml: extra.descriptionHtml }),
    status: extra.status,
    statusDetails: extra.message ? { message: extra.message } : {},
    stage: "finished",
    start: now,
    stop: extra.stop ?? now,
    labels: extra.labels,
    parameters: extra.parameters ?? [],
    attachments,
    steps: [],
  };
  await writeFileAtomic(join(resultsDir, `${uuid}-result.json`), JSON.stringify(result));
}
