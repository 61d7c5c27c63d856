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
