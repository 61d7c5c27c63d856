// What a review says, as views of the two runs' records (the verdict diff) and the cost cells: summary.json's
// `review` section, reports/review.md (a pull-request comment or CI step summary) and the Allure results.
import { CHANGE_KINDS, type ChangeKind, type ExtraResult, type RequestChange, type VerdictDiff } from "../report/index.ts";
import { PRECISION_LIMIT_PCT, type CostDelta } from "./cost.ts";
import type { CostSection } from "./measure-cost.ts";

export interface SideFacts {
  manifest: string;
  pluginConfigSha256: string;
  envoy: string;
  wasm: string;
}

export interface ReviewSection {
  mode: string;
  base: SideFacts;
  candidate: SideFacts;
  verdictChanges: Record<ChangeKind, number> & { compared: number; unchanged: number };
  newBypasses: ChangeEntry[];
  newFalsePositives: ChangeEntry[];
  newBlocks: ChangeEntry[];
  regressions: string[];
  latency: Array<{
    shape: string;
    p50DeltaMs: number;
    p50DeltaCi95: [number, number];
    p99DeltaMs: number | null;
    p99DeltaCi95: [number, number] | null;
    /** The p50 interval's half-width as a share of the base's p50, the rounds it was resampled over and their middle half. */
    p50HalfWidthPct: number;
    rounds: number;
    roundSpreadMs: [number, number];
  }> | null;
  cpu: Array<{
    shape: string;
    noWafMsPer1k: number | null;
    baseMsPer1k: number | null;
    candidateMsPer1k: number | null;
    ratio: number | null;
    ratioRounds: [number, number] | null;
    ratioCi95: [number, number] | null;
    ratioHalfWidthPct: number | null;
  }> | null;
  /** What the cost figures can claim: "backed" when every interval is within ±limitPct of the base. */
  costPrecision: { limitPct: number; backed: boolean; unbacked: string[]; summary: string } | null;
  /** Envoy's resident memory after the cost cells, per side; with one Envoy both figures are the same process. */
  rss: { baseBytes: number; candidateBytes: number; shared: boolean } | null;
  costNotes: string[];
}

type ChangeEntry = { id: string; test: string; base: string; candidate: string; rulesAdded: number[]; rulesRemoved: number[]; reproducer?: string };

const KIND_WORDS: Record<ChangeKind, string> = {
  "new-bypass": "new bypasses (attacks the base blocked, the candidate lets through)",
  "new-false-positive": "new false positives (benign requests the candidate blocks)",
  "new-block": "new blocks (attacks only the candidate blocks)",
  "fixed-false-positive": "fixed false positives (benign requests only the base blocked)",
  "verdict-changed": "other verdict changes (infrastructure, proxy)",
  "rules-changed": "same verdict, different rules matched",
};

const entry = (c: RequestChange): ChangeEntry => ({
  id: c.id,
  test: c.test,
  base: describe(c.base),
  candidate: describe(c.candidate),
  rulesAdded: c.rulesAdded,
  rulesRemoved: c.rulesRemoved,
  ...(c.candidate.reproducer !== undefined && { reproducer: c.candidate.reproducer }),
});

function describe(e: RequestChange["base"]): string {
  return `${e.verdict}${e.status !== undefined ? ` (HTTP ${e.status})` : ""}${e.rules?.length ? `, rules ${e.rules.join(" ")}` : ""}`;
}

export function reviewSection(input: { mode: string; base: SideFacts; candidate: SideFacts; diff: VerdictDiff; regressions: string[]; cost?: CostSection }): ReviewSection {
  const { diff, cost } = input;
  const of = (kind: ChangeKind) => diff.changes.filter((c) => c.kind === kind).map(entry);
  const row = (shape: string, side: string) => cost?.rows.find((r) => r.shape === shape && r.side === side);
  return {
    mode: input.mode,
    base: input.base,
    candidate: input.candidate,
    verdictChanges: { compared: diff.compared, unchanged: diff.unchanged, ...diff.counts },
    newBypasses: of("new-bypass"),
    newFalsePositives: of("new-false-positive"),
    newBlocks: of("new-block"),
    regressions: input.regressions,
    latency: cost
      ? cost.deltas.map(({ shape, p50DeltaMs, p50DeltaCi95, p99DeltaMs, p99DeltaCi95, precision, rounds, roundSpread }) => ({
          shape, p50DeltaMs, p50DeltaCi95, p99DeltaMs, p99DeltaCi95, p50HalfWidthPct: precision.p50HalfWidthPct, rounds, roundSpreadMs: roundSpread.p50DeltaMs,
        }))
      : null,
    cpu: cost
      ? cost.deltas.map((d) => ({
          shape: d.shape,
          noWafMsPer1k: row(d.shape, "no-waf")?.cpuMsPer1k ?? null,
          baseMsPer1k: row(d.shape, "base")?.cpuMsPer1k ?? null,
          candidateMsPer1k: row(d.shape, "candidate")?.cpuMsPer1k ?? null,
          ratio: d.cpuRatio,
          ratioRounds: d.cpuRatioRounds,
          ratioCi95: d.cpuRatioCi95,
          ratioHalfWidthPct: d.precision.cpuHalfWidthPct,
        }))
      : null,
    costPrecision: cost ? costPrecision(cost.deltas) : null,
    rss: cost ? { baseBytes: cost.envoyMemory.base, candidateBytes: cost.envoyMemory.candidate, shared: cost.envoyMemory.shared } : null,
    costNotes: cost ? cost.rows.flatMap((r) => r.notes.map((n) => `${r.side} ${r.shape}: ${n}`)) : ["cost not measured (--no-cost)"],
  };
}

/**
 * What the cost figures claim, in one phrase. A difference is claimed only where its interval excludes "no
 * difference" and is at most ±limit wide; where an interval is wider, the machine was too noisy to back a figure
 * and the phrase says so rather than print one.
 */
export function costPrecision(deltas: readonly CostDelta[]): NonNullable<ReviewSection["costPrecision"]> {
  const limitPct = PRECISION_LIMIT_PCT;
  const unbacked = deltas.filter((d) => !d.precision.backed).map((d) => `${d.shape} (p50 ±${d.precision.p50HalfWidthPct} %${d.precision.cpuHalfWidthPct === null ? "" : `, CPU ±${d.precision.cpuHalfWidthPct} %`})`);
  const differs = deltas.filter((d) => d.precision.backed).flatMap((d) => [
    ...(d.p50DeltaCi95[0] > 0 || d.p50DeltaCi95[1] < 0 ? [`${d.shape} p50 ${signed(d.p50DeltaMs)} ms`] : []),
    ...(d.cpuRatioCi95 && (d.cpuRatioCi95[0] > 1 || d.cpuRatioCi95[1] < 1) ? [`${d.shape} CPU ×${d.cpuRatio}`] : []),
  ]);
  const measured = deltas.length - unbacked.length;
  const summary =
    deltas.length === 0
      ? "cost not measured"
      : [
          measured === 0 ? "" : differs.length > 0 ? `cost differs: ${differs.join(", ")}` : `no cost difference in ${measured} shape${measured === 1 ? "" : "s"} (intervals within ±${limitPct} %)`,
          unbacked.length === 0 ? "" : `machine too noisy to back a cost figure for ${unbacked.join(", ")}`,
        ].filter(Boolean).join("; ");
  return { limitPct, backed: unbacked.length === 0, unbacked, summary };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x}`;

/** The one line a reviewer reads first. */
export function reviewHeadline(s: ReviewSection): string {
  const verdicts = verdictHeadline(s);
  return s.costPrecision ? `${verdicts}; ${s.costPrecision.summary}` : verdicts;
}

function verdictHeadline(s: ReviewSection): string {
  const c = s.verdictChanges;
  const what = `${s.candidate.manifest} against ${s.base.manifest}`;
  if (s.regressions.length > 0) return `Review of ${what}: NOT ACCEPTABLE: ${s.regressions.join(", ")}; ${c["new-block"]} new blocks, ${c.unchanged}/${c.compared} requests unchanged`;
  const changed = c.compared - c.unchanged;
  if (changed === 0) return `Review of ${what}: no verdict change in ${c.compared} requests`;
  return `Review of ${what}: no regression; ${c["new-block"]} new blocks, ${c["fixed-false-positive"]} fixed false positives, ${changed} requests changed of ${c.compared}`;
}

const sideLine = (f: SideFacts) => `\`${f.manifest}\` (pluginConfig sha256 ${f.pluginConfigSha256.slice(0, 12)}…, Envoy ${f.envoy}, plug-in ${f.wasm.slice(0, 12)}…)`;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const ci = (x: [number, number] | null) => (x ? `[${x[0]}, ${x[1]}]` : "");
const ms = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : String(x));
/** A percentile cell: the value, or why not (too few samples beyond it). */
const pct = (r: { n: number } | undefined, x: number | null | undefined) => (x === null || x === undefined ? `not estimable (n = ${r?.n ?? 0})` : String(x));

/** reports/review.md: headline first, then the changes a reviewer must look at, then the cost. */
export function reviewMarkdown(s: ReviewSection, cost: CostSection | undefined, listLimit = 40): string {
  const c = s.verdictChanges;
  const list = (title: string, entries: ChangeEntry[]) =>
    entries.length === 0
      ? []
      : [
          `### ${title}: ${entries.length}`,
          "",
          "| request | base | candidate | rules added | rules removed |",
          "|---|---|---|---|---|",
          ...entries.slice(0, listLimit).map((e) => `| \`${e.id}\` | ${e.base} | ${e.candidate} | ${e.rulesAdded.join(" ") || "-"} | ${e.rulesRemoved.join(" ") || "-"} |`),
          ...(entries.length > listLimit ? [`| … ${entries.length - listLimit} more in reports/review.json | | | | |`] : []),
          "",
        ];
  const costLines = cost
    ? [
        `### Cost per request shape (${cost.mode}; ${cost.samples} samples per cell at most over ≥ ${cost.rounds} interleaved rounds, a shape's base and candidate blocks back to back; CPU from Envoy's cgroup around each block)`,
        "",
        `Intervals resample whole rounds (both sides of a round together), so drift of the machine between rounds widens them instead of faking a difference. A figure is backed when its 95 % interval is within ±${s.costPrecision!.limitPct} % of the base; otherwise only the interval is shown. ${capitalised(s.costPrecision!.summary)}.`,
        "",
        "| shape | p50 no WAF | p50 base | p50 candidate | Δp50 candidate − base [95 % CI] (±% of base) | rounds (middle half of Δp50) | p99 base | p99 candidate | Δp99 [95 % CI] | CPU ms / 1k req: no WAF | base | candidate | CPU ratio [95 % CI] (±%) (rounds lowest–highest) |",
        "|---|---:|---:|---:|---|---|---:|---:|---|---:|---:|---:|---|",
        ...cost.deltas.map((d) => {
          const r = (side: string) => cost.rows.find((x) => x.shape === d.shape && x.side === side);
          const backed = (figure: string) => (d.precision.backed ? figure : "too noisy:");
          return `| ${d.shape} | ${pct(r("no-waf"), r("no-waf")?.p50Ms)} | ${pct(r("base"), r("base")?.p50Ms)} | ${pct(r("candidate"), r("candidate")?.p50Ms)} | ${backed(String(d.p50DeltaMs))} ${ci(d.p50DeltaCi95)} (±${d.precision.p50HalfWidthPct} %) | ${d.rounds} (${d.roundSpread.p50DeltaMs.join(" to ")} ms) | ${pct(r("base"), r("base")?.p99Ms)} | ${pct(r("candidate"), r("candidate")?.p99Ms)} | ${d.p99DeltaMs === null ? "not estimable" : `${d.p99DeltaMs} ${ci(d.p99DeltaCi95)}`} | ${ms(r("no-waf")?.cpuMsPer1k)} | ${ms(r("base")?.cpuMsPer1k)} | ${ms(r("candidate")?.cpuMsPer1k)} | ${d.cpuRatio === null ? "n/a" : `${backed(`×${d.cpuRatio}`)} ${ci(d.cpuRatioCi95)} (±${d.precision.cpuHalfWidthPct} %)`} ${d.cpuRatioRounds ? `(${d.cpuRatioRounds[0]}–${d.cpuRatioRounds[1]})` : ""} |`;
        }),
        "",
        (s.rss!.shared
          ? `Envoy RSS (one Envoy serves both sides, so this is theirs together): ${mib(s.rss!.baseBytes)} MiB after the cost cells. `
          : `Envoy RSS after the cost cells: base ${mib(s.rss!.baseBytes)} MiB, candidate ${mib(s.rss!.candidateBytes)} MiB. `) +
          "A percentile is shown only with at least 5 samples beyond it (p99: n ≥ 500, p95: n ≥ 100).",
        "",
      ]
    : ["Cost not measured (--no-cost).", ""];
  return [
    `**${reviewHeadline(s)}**`,
    "",
    `Mode: ${s.mode}. Base: ${sideLine(s.base)}; candidate: ${sideLine(s.candidate)}.`,
    "",
    "| change | requests |",
    "|---|---:|",
    ...CHANGE_KINDS.map((k) => `| ${KIND_WORDS[k]} | ${c[k]} |`),
    `| unchanged | ${c.unchanged} of ${c.compared} |`,
    "",
    ...list("New bypasses", s.newBypasses),
    ...list("New false positives", s.newFalsePositives),
    ...list("New blocks", s.newBlocks),
    ...costLines,
    "Replay any request: reports/review.json lists each change with the candidate's reproducer; both sides' records are in reports/review/<base|candidate>/ (verdicts.json, Allure results).",
    "",
  ].join("\n");
}

/** The review in the Allure report: one result with the whole page, and one per changed request (regressions fail). */
export function reviewAllureResults(s: ReviewSection, markdown: string, plots: Array<{ name: string; svg: string }>, diff: VerdictDiff): ExtraResult[] {
  const labels = (story: string) => [
    { name: "epic", value: "Review" },
    { name: "feature", value: `${s.candidate.manifest} vs ${s.base.manifest}` },
    { name: "story", value: story },
    { name: "suite", value: "review" },
  ];
  const status = (kind: ChangeKind): ExtraResult["status"] => (kind === "new-bypass" || kind === "new-false-positive" ? "failed" : kind === "verdict-changed" ? "broken" : "passed");
  return [
    {
      id: "wafcheck:review",
      name: reviewHeadline(s),
      status: s.regressions.length > 0 ? "failed" : "passed",
      message: reviewHeadline(s),
      labels: labels("summary"),
      attachments: [{ name: "review.md", content: markdown, type: "text/markdown" }, ...plots.map((p) => ({ name: p.name, content: p.svg, type: "image/svg+xml" }))],
    },
    ...diff.changes.map((c) => ({
      id: `wafcheck:review:${c.id}`,
      name: `${KIND_WORDS[c.kind].split(" (")[0]}: ${c.id}`,
      status: status(c.kind),
      message: `base: ${describe(c.base)}; candidate: ${describe(c.candidate)}`,
      labels: labels(KIND_WORDS[c.kind]),
      parameters: [
        { name: "rules added", value: c.rulesAdded.join(" ") || "-" },
        { name: "rules removed", value: c.rulesRemoved.join(" ") || "-" },
      ],
      attachments: [c.base.reproducer, c.candidate.reproducer].flatMap((r, i) => (r ? [{ name: `replay against the ${i === 0 ? "base" : "candidate"}`, content: `${r}\n`, type: "text/plain" }] : [])),
    })),
  ];
}
