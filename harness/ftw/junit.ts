import { esc } from "../report/junit.ts";
import type { FtwTestResult } from "./run.ts";

/** reports/ftw-junit.xml: one <testsuite> per CRS rule file, one <testcase> per ftw test (ignored: skipped, undecidable: skipped with its reason). */
export function ftwJunitXml(results: readonly FtwTestResult[], facts: Record<string, string>): string {
  const files = new Map<string, FtwTestResult[]>();
  for (const r of results) (files.get(r.ruleFile) ?? files.set(r.ruleFile, []).get(r.ruleFile)!).push(r);
  const properties = `<properties>\n${Object.entries(facts).map(([n, v]) => `<property name="${esc(n)}" value="${esc(v)}"/>`).join("\n")}\n</properties>`;
  const suites = [...files.entries()].map(([file, tests]) => {
    const count = (o: FtwTestResult["outcome"]) => tests.filter((t) => t.outcome === o).length;
    const cases = tests.map((t) => {
      const open = `<testcase name="${esc(`${t.id}: ${t.desc?.split("\n")[0] ?? ""}`)}" classname="${esc(`crs.${file}.${t.ruleId}`)}">`;
      const reason = esc(t.reasons.join("; "));
      if (t.outcome === "failed") return `${open}<failure type="${esc(t.reasonClass ?? "failed")}" message="${reason}"/></testcase>`;
      if (t.outcome === "ignored" || t.outcome === "undecidable") return `${open}<skipped message="${esc(t.outcome)}: ${reason}"/></testcase>`;
      return `${open}</testcase>`;
    });
    return [`<testsuite name="${esc(file)}" tests="${tests.length}" failures="${count("failed")}" errors="0" skipped="${count("ignored") + count("undecidable")}">`, properties, ...cases, "</testsuite>"].join("\n");
  });
  const failed = results.filter((r) => r.outcome === "failed").length;
  const skipped = results.filter((r) => r.outcome === "ignored" || r.outcome === "undecidable").length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="wafcheck ftw" tests="${results.length}" failures="${failed}" errors="0" skipped="${skipped}">\n${suites.join("\n")}\n</testsuites>\n`;
}
