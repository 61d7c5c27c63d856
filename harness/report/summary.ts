import type { StackInfo } from "../stack/stack.ts";

export interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Tests that ended on a timeout, reset, refusal or 5xx: neither passed nor a WAF verdict. */
  infra: number;
}

/** reports/summary.json: its keys are a contract with users' CI; extend, never rename. */
export interface Summary {
  schemaVersion: 1;
  generatedAt: string;
  target: { name: string; url: string };
  stack: Pick<StackInfo, "envoyVersion" | "wasmSha256" | "wasmSource" | "pluginConfigSha256"> | null;
  suites: Record<string, SuiteCounts>;
  [extension: string]: unknown;
}

export type TestEnd = { suite: string; status: "passed" | "failed" | "skipped"; infra: boolean };

/** Counts per suite. A failed test marked infra counts as infra, never as passed or failed. */
export function countSuites(results: readonly TestEnd[]): Record<string, SuiteCounts> {
  const suites: Record<string, SuiteCounts> = {};
  for (const r of results) {
    const counts = (suites[r.suite] ??= { passed: 0, failed: 0, skipped: 0, infra: 0 });
    if (r.status === "failed" && r.infra) counts.infra++;
    else counts[r.status]++;
  }
  return suites;
}

/** The new run's keys replace the old ones; other sections (e.g. `latency` from npm run latency) stay. */
export function mergeSummary(previous: Record<string, unknown> | undefined, next: Summary): Summary {
  return { ...(previous ?? {}), ...next };
}

/** The suite a test file belongs to: its first folder under suites/ (suites/conformance/x.spec.ts → conformance). */
export function suiteOf(relativeFile: string): string {
  const parts = relativeFile.split(/[\\/]/);
  return parts.length > 1 ? parts[0]! : "default";
}

/** Allure's environment.properties: one `key=value` per line, values on one line. */
export function environmentProperties(facts: Record<string, string>): string {
  return Object.entries(facts)
    .map(([k, v]) => `${k.replace(/[=:\s]/g, "_")}=${v.replace(/\r?\n/g, " ")}`)
    .join("\n") + "\n";
}
