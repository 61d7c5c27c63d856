import { join } from "node:path";
import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";
import { parseEnv } from "../config/env.ts";
import { loadRunManifest } from "../manifest/load-manifest.ts";
import { reportsDir } from "../report/reports-dir.ts";
import { writeFileAtomic } from "../report/write-atomic.ts";
import { readStackFile } from "../stack/stack-file.ts";
import { parseVerdictAnnotation, type VerdictsFile } from "./verdicts.ts";

/**
 * Playwright reporter that writes reports/verdicts.json: each request's verdict by request id. A remote run
 * compares its file with a local run's (drift); nothing is written in a dry run.
 */
export default class VerdictsReporter implements Reporter {
  private readonly requests: VerdictsFile["requests"] = {};

  onTestEnd(test: TestCase, result: TestResult): void {
    const title = test.titlePath().filter(Boolean).slice(1).join(" › ");
    for (const a of [...result.annotations, ...test.annotations]) {
      const v = parseVerdictAnnotation(a);
      if (v) this.requests[v.id] = { verdict: v.verdict, test: title };
    }
  }

  async onEnd(): Promise<void> {
    if (process.env.WAF_DRY_RUN_FILE) return;
    const env = parseEnv();
    const stack = env.WAF_STACK_FILE ? readStackFile(env.WAF_STACK_FILE) : undefined;
    const manifest = stack ? undefined : await loadRunManifest(env).catch(() => undefined);
    const file: VerdictsFile = {
      schemaVersion: 1,
      generatedAt: new Date().toISOString(),
      target: { name: env.WAF_TARGET, url: process.env.WAF_TARGET_URL ?? stack?.gatewayUrl ?? "" },
      manifest: stack?.manifest ?? manifest?.source ?? env.WAF_PLUGIN,
      pluginConfigSha256: stack?.pluginConfigSha256 ?? manifest?.pluginConfigSha256 ?? "",
      stack: stack ? { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource } : null,
      requests: Object.fromEntries(Object.entries(this.requests).sort(([a], [b]) => a.localeCompare(b))),
    };
    await writeFileAtomic(join(reportsDir(), "verdicts.json"), `${JSON.stringify(file, null, 2)}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
