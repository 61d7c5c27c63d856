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
