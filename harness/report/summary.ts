
export interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Tests that ended on a timeout, reset, refusal or 5xx: neither passed nor a WAF verdict. */
  infra: number;
}

/** The suite a test file belongs to: its first folder under suites/ (suites/conformance/x.spec.ts → conformance). */
export function suiteOf(relativeFile: string): string {
  const parts = relativeFile.split(/[\\/]/);
  return parts.length > 1 ? parts[0]! : "default";
}

/**
 * Allure's environment.properties: one `key=value` per line, as Java reads properties (ISO-8859-1, backslash
 * escapes): spaces, `=` and `:` in keys escaped, backslashes and non-Latin-1 characters escaped everywhere.
 */
export function environmentProperties(facts: Record<string, string>): string {
  const escape = (text: string) => text.replace(/\\/g, "\\\\").replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return Object.entries(facts)
    .map(([k, v]) => `${escape(k.replace(/\r?\n/g, " ")).replace(/[=:\s]/g, (c) => `\\${c}`)}=${escape(v.replace(/\r?\n/g, " "))}`)
    .join("\n") + "\n";
}
