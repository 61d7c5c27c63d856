// Reads every view of one run (terminal, summary.json, summary.md, index.html, Allure results, JUnit) and returns
// the counts each shows, beside the run model's own: the records' kinds as verdicts.json lists them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ViewCounts {
  byKind: Record<string, number>;
  blocked: number;
  judged: number;
  reachedApp: number;
  /** Distinct rules the WAF logged for corpus requests (summary.json rules; verdicts.json's rules per request). */
  rulesFired?: number;
}

export interface RunViews {
  model: ViewCounts & { runId: string };
  views: Record<string, Partial<ViewCounts>>;
  headline: string;
}

const count = (items: readonly string[]) => items.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
const sorted = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));

export function readRunViews(reports: string, terminal: string): RunViews {
  const verdicts = JSON.parse(readFileSync(join(reports, "verdicts.json"), "utf8")) as { requests: Record<string, { kind: string; rules?: number[] }> };
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  const kinds = Object.values(verdicts.requests).map((r) => r.kind);
  const corpus = Object.entries(verdicts.requests).filter(([id]) => !id.startsWith("conformance"));
  const modelByKind = sorted(count(kinds));
  const attacksOf = (k: string) => corpus.filter(([, r]) => r.kind === k).length;
  const model = {
    runId: summary.run.id as string,
    byKind: modelByKind,
    blocked: summary.counts.attacks.blocked as number,
    judged: (summary.counts.attacks.blocked + summary.counts.attacks.bypassed + summary.counts.attacks.acceptedGaps) as number,
    reachedApp: ["bypass", "accepted-gap", "changed-by-proxy", "informational-reached"].reduce((n, k) => n + attacksOf(k), 0),
    rulesFired: new Set(corpus.flatMap(([, r]) => r.rules ?? [])).size,
  };
  const md = readFileSync(join(reports, "summary.md"), "utf8");
  const headline = md.split("\n")[0]!.replace(/^\*\*|\*\*$/g, "");
  const html = readFileSync(join(reports, "index.html"), "utf8");
  const htmlHeadline = /<h1 id="verdict">([^<]*)<\/h1>/.exec(html)?.[1]?.replace(/&amp;/g, "&") ?? "";
  const rate = (text: string) => {
    const m = /(\d+)\/(\d+) judged attacks blocked|(\d+) of (\d+) judged attacks blocked/.exec(text);
    return m ? { blocked: Number(m[1] ?? m[3]), judged: Number(m[2] ?? m[4]) } : {};
  };
  const reached = (text: string) => {
    const m = /(\d+) attacks reached the app/.exec(text);
    return { reachedApp: m ? Number(m[1]) : 0 };
  };
  // Allure: one result per record, its kind a label.
  const results = join(reports, "allure-results");
  const allureKinds = readdirSync(results)
    .filter((f) => f.endsWith("-result.json"))
    .map((f) => JSON.parse(readFileSync(join(results, f), "utf8")) as { labels: Array<{ name: string; value: string }> })
    .flatMap((r) => r.labels.filter((l) => l.name === "kind").map((l) => l.value));
  // JUnit: one testcase per record, its kind on the first line of its output.
  const junit = readFileSync(join(reports, "junit.xml"), "utf8");
  const junitKinds = [...junit.matchAll(/<system-out>kind: ([a-z-]+)/g)].map((m) => m[1]!);
  const termLine = terminal.split("\n").find((l) => l.startsWith("[waf] attacks: ")) ?? "";
  const termTotals = /\((\d+)\/(\d+) judged attacks;/.exec(termLine);
  return {
    model,
    headline,
    views: {
      "summary.json": { byKind: sorted(summary.counts.byKind as Record<string, number>), ...pick(summary.counts.attacks) },
      // The class × placement × encoding cells add up to the headline's numerator and denominator.
      ...(summary.detection?.breakdown && { "summary.json breakdown": breakdownTotals(summary.detection.breakdown.attacks as Array<{ k: number; n: number }>) }),
      ...(summary.rules && { "summary.json rules": { rulesFired: summary.rules.totals.fired as number } }),
      "summary.md": { ...rate(headline), ...reached(headline) },
      "index.html": { ...rate(htmlHeadline), ...reached(htmlHeadline) },
      terminal: { ...(termTotals && { blocked: Number(termTotals[1]), judged: Number(termTotals[2]) }), reachedApp: Number(/; (\d+) reached the app/.exec(termLine)?.[1] ?? -1) },
      allure: { byKind: sorted(count(allureKinds)) },
      junit: { byKind: sorted(count(junitKinds)) },
    },
  };
}

function breakdownTotals(cells: ReadonlyArray<{ k: number; n: number }>): Partial<ViewCounts> {
  return { blocked: cells.reduce((t, c) => t + c.k, 0), judged: cells.reduce((t, c) => t + c.n, 0) };
}

function pick(a: { blocked: number; bypassed: number; acceptedGaps: number; reachedApp: number }): Partial<ViewCounts> {
  return { blocked: a.blocked, judged: a.blocked + a.bypassed + a.acceptedGaps, reachedApp: a.reachedApp };
}

/** Every count every view shows that differs from the model's: [] when all agree. */
export function mismatches(v: RunViews): string[] {
  const out: string[] = [];
  for (const [view, counts] of Object.entries(v.views))
    for (const [key, value] of Object.entries(counts)) {
      const want = (v.model as unknown as Record<string, unknown>)[key];
      if (JSON.stringify(value) !== JSON.stringify(want)) out.push(`${view} ${key}: ${JSON.stringify(value)} ≠ model ${JSON.stringify(want)}`);
    }
  return out;
}
