import { esc } from "../report/index.ts";
import { FTW_OUTCOME_VIEW } from "./ftw-report.ts";
import type { FtwTestResult } from "./run.ts";

/** reports/ftw-junit.xml: one <testsuite> per CRS rule file, one <testcase> per ftw test, shown as FTW_OUTCOME_VIEW says. */
export function ftwJunitXml(results: readonly FtwTestResult[], facts: Record<string, string>): string {
  const files = new Map<string, FtwTestResult[]>();
  for (const r of results) (files.get(r.ruleFile) ?? files.set(r.ruleFile, []).get(r.ruleFile)!).push(r);
  const properties = `<properties>\n${Object.entries(facts).map(([n, v]) => `<property name="${esc(n)}" value="${esc(v)}"/>`).join("\n")}\n</properties>`;
  const suites = [...files.entries()].map(([file, tests]) => {
    const count = (v: "failure" | "skipped") => tests.filter((t) => FTW_OUTCOME_VIEW[t.outcome].junit === v).length;
    const cases = tests.map((t) => {
      const open = `<testcase name="${esc(`${t.id}: ${t.desc?.split("\n")[0] ?? ""}`)}" classname="${esc(`crs.${file}.${t.ruleId}`)}">`;
      const reason = esc(t.reasons.join("; "));
      const view = FTW_OUTCOME_VIEW[t.outcome].junit;
      if (view === "failure") return `${open}<failure type="${esc(t.reasonClass ?? t.outcome)}" message="${reason}"/></testcase>`;
      if (view === "skipped") return `${open}<skipped message="${esc(t.outcome)}: ${reason}"/></testcase>`;
      return `${open}</testcase>`;
    });
    return [`<testsuite name="${esc(file)}" tests="${tests.length}" failures="${count("failure")}" errors="0" skipped="${count("skipped")}">`, properties, ...cases, "</testsuite>"].join("\n");
  });
  const failed = results.filter((r) => FTW_OUTCOME_VIEW[r.outcome].junit === "failure").length;
  const skipped = results.filter((r) => FTW_OUTCOME_VIEW[r.outcome].junit === "skipped").length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="wafcheck ftw" tests="${results.length}" failures="${failed}" errors="0" skipped="${skipped}">\n${suites.join("\n")}\n</testsuites>\n`;
}
