// reports/junit.xml as a view of the records (its one writer): one <testcase> per request, its outcome from its kind, grouped by suite, the stack's facts as
// properties of every <testsuite> (a CI system reading only junit.xml still sees which WAF produced the verdicts).
import type { WafRecord } from "../engine/index.ts";
import { KINDS, type JunitOutcome } from "../verdict/index.ts";
import { recordKind } from "./counts.ts";
import type { RecordlessTest } from "./record-views.ts";

export function junitXml(records: readonly WafRecord[], recordless: readonly RecordlessTest[], facts: Record<string, string>): string {
  const suites = new Map<string, string[]>();
  const counts = new Map<string, { tests: number; failures: number; errors: number; skipped: number; time: number }>();
  const add = (suite: string, xml: string, kind: JunitOutcome, ms: number) => {
    (suites.get(suite) ?? suites.set(suite, []).get(suite)!).push(xml);
    const c = counts.get(suite) ?? counts.set(suite, { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 }).get(suite)!;
    c.tests++;
    c.time += ms;
    if (kind === "failure") c.failures++;
    if (kind === "error") c.errors++;
    if (kind === "skipped") c.skipped++;
  };
  for (const r of records) {
    const ms = r.response.elapsedMs;
    const kind = recordKind(r);
    const outcome = KINDS[kind].junit;
    const open = `<testcase name="${esc(`${r.id}: ${r.title}`)}" classname="${esc(`${r.suite}.${r.group}`)}" time="${(ms / 1000).toFixed(3)}">`;
    const out = `<system-out>${esc(`kind: ${kind}${r.informational ? " (informational)" : ""}\n${r.message}\n${r.sent.reproducer}`)}</system-out>`;
    // Accepted gaps, informational and proxy-handled requests are skipped with their reason: never a plain pass.
    const inner =
      outcome === "error" ? `<error type="infrastructure" message="${esc(r.message)}"/>`
      : outcome === "failure" ? `<failure type="${esc(kind)}" message="${esc(r.message)}"/>`
      : outcome === "skipped" ? `<skipped message="${esc(`${KINDS[kind].label}: ${r.message}`)}"/>`
      : "";
    add(r.suite, `${open}${inner}${out}</testcase>`, outcome, ms);
  }
  for (const t of recordless) {
    const open = `<testcase name="${esc(t.title)}" classname="${esc(t.suite)}" time="0">`;
    if (t.status === "skipped") add(t.suite, `${open}<skipped message="${esc(t.reason)}"/></testcase>`, "skipped", 0);
    else add(t.suite, `${open}<error type="infrastructure" message="${esc(t.reason)}"/></testcase>`, "error", 0);
  }
  const properties = Object.entries(facts).map(([n, v]) => `<property name="${esc(n)}" value="${esc(v)}"/>`).join("\n");
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const body: string[] = [];
  for (const [suite, cases] of [...suites.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const c = counts.get(suite)!;
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += c[k];
    body.push(
      `<testsuite name="${esc(suite)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${(c.time / 1000).toFixed(3)}">`,
      `<properties>\n${properties}\n</properties>`,
      ...cases,
      "</testsuite>",
    );
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="wafcheck" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${(total.time / 1000).toFixed(3)}">`,
    ...body,
    "</testsuites>",
    "",
  ].join("\n");
}

/** XML-escapes text, dropping characters XML 1.0 cannot carry (payloads hold NULs and control bytes). */
export function esc(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(/[<>&"']/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`);
}
