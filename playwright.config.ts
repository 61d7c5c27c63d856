import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { reportsDir } from "./harness/report/reports-dir.ts";

const reports = reportsDir();

/**
 * API testing only (no browser). One project per target kind; `npm run waf` picks the project that matches
 * WAF_TARGET. The local stack starts once per run (global setup) because the plug-in takes ~10-20 s to load.
 */
export default defineConfig({
  testDir: "./suites",
  testMatch: "**/*.spec.ts",
  globalSetup: "./suites/global-setup.ts",
  fullyParallel: true,
  // Requests are I/O-bound; Envoy has the cores. Remote runs get fewer workers (rate limits, harness/remote).
  workers: 2,
  retries: 0,
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  outputDir: join(reports, ".playwright-output"),
  reporter: [
    ["list"],
    ["junit", { outputFile: join(reports, "junit.xml") }],
    [
      "allure-playwright",
      {
        resultsDir: join(reports, "allure-results"),
        detail: false,
        suiteTitle: false,
        categories: [
          { name: "Infrastructure error (not a WAF verdict)", messageRegex: ".*infrastructure error.*", matchedStatuses: ["failed", "broken"] },
          { name: "WAF bypass", messageRegex: ".*WAF bypass.*", matchedStatuses: ["failed"] },
          { name: "False positive", messageRegex: ".*false positive.*", matchedStatuses: ["failed"] },
          { name: "Rejected by proxy (not the WAF)", messageRegex: ".*rejected by proxy.*", matchedStatuses: ["failed"] },
        ],
      },
    ],
    ["./harness/report/summary-reporter.ts"],
    ["./harness/remote/verdicts-reporter.ts"],
  ],
  projects: [
    { name: "local", metadata: { targetKind: "local" } },
    { name: "remote", metadata: { targetKind: "remote" } },
  ],
});
