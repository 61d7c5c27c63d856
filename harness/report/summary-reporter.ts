import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { parseEnv } from "../config/env.ts";
import { runParanoia } from "../config/run-paranoia.ts";
import { readStackFile } from "../stack/stack-file.ts";
import { CORPUS_ANNOTATION, computeDetection, type CorpusRecord } from "./detection.ts";
import { withSuiteProperties } from "./junit-properties.ts";
import { countSuites, environmentProperties, mergeSummary, suiteOf, type Summary, type TestEnd } from "./summary.ts";
import { readJsonIfPresent, writeFileAtomic } from "./write-atomic.ts";
import { reportsDir } from "./reports-dir.ts";

/** Playwright reporter that writes reports/summary.json and Allure's environment facts. */
export default class SummaryReporter implements Reporter {
  private readonly results = new Map<string, TestEnd>();
  private readonly corpus = new Map<string, CorpusRecord>();
  private testDir = "";

  onBegin(config: FullConfig): void {
    this.testDir = config.projects[0]?.testDir ?? config.rootDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const status = result.status === "passed" ? "passed" : result.status === "skipped" ? "skipped" : "failed";
    const infra = result.annotations.some((a) => a.type === "infra") || test.annotations.some((a) => a.type === "infra");
    // Retries overwrite earlier attempts of the same test.
    this.results.set(test.id, { suite: suiteOf(specFile(test) ?? relative(this.testDir, test.location.file)), status, infra });
    const record = result.annotations.find((a) => a.type === CORPUS_ANNOTATION)?.description;
    if (record) this.corpus.set(test.id, JSON.parse(record) as CorpusRecord);
  }

  async onEnd(_result: FullResult): Promise<void> {
    const env = parseEnv();
    const stack = env.WAF_STACK_FILE ? readStackFile(env.WAF_STACK_FILE) : undefined;
    const dir = reportsDir();
    const summaryPath = join(dir, "summary.json");
    const summary: Summary = {
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      target: { name: env.WAF_TARGET, url: process.env.WAF_TARGET_URL ?? stack?.gatewayUrl ?? "" },
      stack: stack
        ? { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource, pluginConfigSha256: stack.pluginConfigSha256 }
        : null,
      suites: countSuites([...this.results.values()]),
    };
    if (this.corpus.size > 0) summary.detection = computeDetection([...this.corpus.values()], await runParanoia(env));
    await writeFileAtomic(summaryPath, `${JSON.stringify(mergeSummary(await readJsonIfPresent(summaryPath), summary), null, 2)}\n`);
    const facts: Record<string, string> = { target: summary.target.name, targetUrl: summary.target.url, manifest: stack?.manifest ?? env.WAF_PLUGIN };
    if (stack)
      Object.assign(facts, {
        envoyVersion: stack.envoyVersion,
        envoyImage: stack.envoyImage,
        httpbinImage: stack.httpbinImage,
        wasmSource: stack.wasmSource,
        wasmSha256: stack.wasmSha256,
        pluginConfigSha256: stack.pluginConfigSha256,
      });
    await writeFileAtomic(join(dir, "allure-results", "environment.properties"), environmentProperties(facts));
    // Playwright runs reporters' onEnd in order: the JUnit reporter (listed earlier) has written its file.
    const junit = join(dir, "junit.xml");
    const xml = await readFile(junit, "utf8").catch(() => undefined);
    if (xml !== undefined) await writeFileAtomic(junit, withSuiteProperties(xml, facts));
  }

  printsToStdio(): boolean {
    return false;
  }
}

/** The spec file a test belongs to (tests defined by a shared helper have that helper as their location). */
function specFile(test: TestCase): string | undefined {
  let suite: TestCase["parent"] | undefined = test.parent;
  while (suite && suite.type !== "file") suite = suite.parent;
  return suite?.title;
}

