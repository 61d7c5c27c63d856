import { resolve } from "node:path";

/** Where reports go: `reports/` unless WAF_REPORTS_DIR says otherwise (the project's tests use temp dirs). */
export function reportsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WAF_REPORTS_DIR ?? "reports");
}
