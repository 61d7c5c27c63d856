import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Stage, type Status } from "allure-js-commons";
import { FileSystemWriter, ReporterRuntime } from "allure-js-commons/sdk/reporter";

export interface ExtraResult {
  /** Stable id: Allure's history and trend follow it from run to run. */
  id: string;
  name: string;
  status: "passed" | "failed" | "broken" | "skipped" | "unknown";
  message?: string;
  /** What categories match on (e.g. `kind: accepted-gap`, kinds.ts), shown under the message. */
  trace?: string;
  /** Shown above the attachments (HTML). */
  descriptionHtml?: string;
  fullName?: string;
  start?: number;
  stop?: number;
  labels: Array<{ name: string; value: string }>;
  parameters?: Array<{ name: string; value: string }>;
  attachments: Array<{ name: string; content: string | Buffer; type: string }>;
}

// The attachment's file extension comes from its type (a name such as "request (HTTP/1.1)" says nothing about it).
const EXTENSIONS: Record<string, string> = {
  "text/plain": ".txt", "application/json": ".json", "image/svg+xml": ".svg", "text/markdown": ".md", "text/html": ".html", "text/csv": ".csv", "application/xml": ".xml",
};

export function extensionOf(type: string): string {
  return EXTENSIONS[type] ?? ".txt";
}

/** One writer of Allure results for a folder: allure-js-commons' runtime, so results and attachments are Allure's own format. */
export class AllureResultsWriter {
  private readonly runtime: ReporterRuntime;

  constructor(private readonly dir: string, options: { categories?: Array<Record<string, unknown>>; environment?: Record<string, string> } = {}) {
    this.runtime = new ReporterRuntime({
      writer: new FileSystemWriter({ resultsDir: dir }),
      ...(options.categories && { categories: options.categories as never }),
      ...(options.environment && { environmentInfo: options.environment }),
    });
  }

  write(extra: ExtraResult): void {
    const start = extra.start ?? Date.now();
    const uuid = this.runtime.startTest({
      name: extra.name,
      fullName: extra.fullName ?? extra.id,
      historyId: extra.id,
      testCaseId: extra.id,
      ...(extra.status !== "unknown" && { status: extra.status as Status }),
      statusDetails: { ...(extra.message && { message: extra.message }), ...(extra.trace && { trace: extra.trace }) },
      ...(extra.descriptionHtml && { descriptionHtml: extra.descriptionHtml }),
      labels: extra.labels,
      parameters: extra.parameters ?? [],
      start,
    });
    for (const a of extra.attachments)
      this.runtime.writeAttachment(uuid, null, a.name, Buffer.isBuffer(a.content) ? a.content : Buffer.from(a.content, "utf8"), { contentType: a.type, fileExtension: extensionOf(a.type) });
    this.runtime.updateTest(uuid, (r) => void (r.stage = Stage.FINISHED));
    this.runtime.stopTest(uuid, { stop: extra.stop ?? start });
    this.runtime.writeTest(uuid);
  }

  /** environment.properties and categories.json, as given to the constructor. */
  finish(): void {
    this.runtime.writeEnvironmentInfo();
    this.runtime.writeCategoriesDefinitions();
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, name), JSON.stringify(value));
  }
}

/** Adds one result to a results folder (commands whose report is a few results of their own: review, matrix). */
export async function writeAllureResult(resultsDir: string, extra: ExtraResult): Promise<void> {
  new AllureResultsWriter(resultsDir).write(extra);
}
