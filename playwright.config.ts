import { defineConfig } from "@playwright/test";
import { join } from "node:path";
import { reportsDir } from "./harness/config/index.ts";

/**
 * API testing only (no browser). One project: the target (local stack or a gateway) comes from the run context
 * that `npm run waf` (or, run directly, the global setup) writes. Tests hand their per-request records to one
 * reporter, which writes every report as a view of them (summary.json, verdicts.json, junit.xml, Allure results).
 */
export default defineConfig({
  testDir: "./suites",
  testMatch: "**/*.spec.ts",
  globalSetup: "./suites/global-setup.ts",
  fullyParallel: true,
  // Requests are I/O-bound and go out several at a time per worker (suites/fixtures.ts); Envoy has the cores.
  workers: 2,
  retries: 0,
  timeout: 60_000,
  forbidOnly: !!process.env.CI,
  outputDir: join(reportsDir(), ".playwright-output"),
  // A shard (npm run waf -- --shard=i/n) also writes a blob report for `npm run waf:merge` (Playwright's own format).
  reporter: [["list"], ["./harness/report/records-reporter.ts"], ...(process.env.WAF_BLOB_DIR ? ([["blob", { outputDir: process.env.WAF_BLOB_DIR }]] as const) : [])],
});
