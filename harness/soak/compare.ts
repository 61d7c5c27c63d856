/**
 * `npm run review -- --soak`: base and candidate soaked side by side (a stack each, the same load at the same time),
 * so the machine's moment is shared. The candidate's growth minus the base's, with a Welch-style interval from the
 * two slopes' standard errors (conservative degrees of freedom: the smaller fit's). Pure.
 */
import type { Growth, GateResult } from "./analysis.ts";
import type { SoakSection } from "./report.ts";
import { tQuantile975 } from "./stats.ts";

export interface SoakComparison {
  base: { manifest: string; growthMbPer100k: number | null; growthCi95: [number, number] | null; p99Drift: number | null; passed: boolean };
  candidate: { manifest: string; growthMbPer100k: number | null; growthCi95: [number, number] | null; p99Drift: number | null; passed: boolean };
  /** Candidate minus base, MB per 100k requests, and its 95 % interval (null where either slope has no interval). */
  growthDifference: { mbPer100k: number | null; ci95: [number, number] | null };
  gates: GateResult[];
  passed: boolean;
}

export function growthDifference(base: Growth, candidate: Growth): SoakComparison["growthDifference"] {
  if (base.mbPer100k === null || candidate.mbPer100k === null) return { mbPer100k: null, ci95: null };
  const d = round(candidate.mbPer100k - base.mbPer100k);
  if (base.se == null || candidate.se == null || Math.min(base.n, candidate.n) < 3) return { mbPer100k: d, ci95: null };
  const half = tQuantile975(Math.min(base.n, candidate.n) - 2) * Math.sqrt(base.se ** 2 + candidate.se ** 2);
  return { mbPer100k: d, ci95: [round(d - half), round(d + half)] };
}

/**
 * The comparison's gates: the candidate must pass its own soak gates, and its growth must not exceed the base's by
 * more than `maxExtraGrowthMbPer100k` (the difference's lower bound against it: noise cannot fail it).
 */
export function compareSoaks(base: SoakSection, candidate: SoakSection, maxExtraGrowthMbPer100k: number): SoakComparison {
  const diff = growthDifference(base.growth, candidate.growth);
  const side = (s: SoakSection) => ({ manifest: s.manifest, growthMbPer100k: s.growthMbPer100k, growthCi95: s.growthCi95, p99Drift: s.p99Drift.ratio, passed: s.passed });
  const own = candidate.gates.filter((g) => !g.ok);
  const extra: GateResult =
    diff.ci95 === null
      ? { gate: "max-extra-growth-mb-per-100k", ok: false, line: "FAIL max-extra-growth-mb-per-100k: the growth difference is not estimable (too few windows on a side)" }
      : {
          gate: "max-extra-growth-mb-per-100k",
          ok: diff.ci95[0] <= maxExtraGrowthMbPer100k,
          line: `${diff.ci95[0] <= maxExtraGrowthMbPer100k ? "ok  " : "FAIL"} max-extra-growth-mb-per-100k: the candidate grows ${signed(diff.mbPer100k!)} MB per 100k requests more than the base, 95 % interval [${diff.ci95[0]}, ${diff.ci95[1]}] (lower bound against the limit ${maxExtraGrowthMbPer100k})`,
        };
  const candidateGate: GateResult = {
    gate: "candidate-soak",
    ok: own.length === 0,
    line: own.length === 0 ? "ok   candidate-soak: the candidate passed its own soak gates" : `FAIL candidate-soak: the candidate failed ${own.map((g) => g.gate).join(", ")}`,
  };
  const gates = [candidateGate, extra];
  return { base: side(base), candidate: side(candidate), growthDifference: diff, gates, passed: gates.every((g) => g.ok) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x}`;

/** The comparison as a page (reports/soak-review.md, the Allure attachment): verdict first, then both sides. */
export function soakComparisonMarkdown(c: SoakComparison, base: SoakSection, candidate: SoakSection): string {
  const row = (name: string, s: SoakSection) =>
    `| ${name} | \`${s.manifest}\` | ${s.requests} | ${s.growthMbPer100k ?? "-"} ${s.growthCi95 ? `[${s.growthCi95[0]}, ${s.growthCi95[1]}]` : ""} | ${s.outsideHeapGrowth.mbPer100k ?? "-"} | ×${s.p99Drift.ratio ?? "-"} | ${s.restarts.total} | ${s.passed ? "passed" : `FAILED (${s.gates.filter((g) => !g.ok).map((g) => g.gate).join(", ")})`} |`;
  const d = c.growthDifference;
  return [
    `**Soak review: ${c.passed ? "no extra memory growth" : "NOT ACCEPTABLE"}: the candidate grows ${d.mbPer100k === null ? "?" : signed(d.mbPer100k)} MB per 100k requests more than the base${d.ci95 ? ` [${d.ci95[0]}, ${d.ci95[1]}]` : ""}**`,
    "",
    "Both sides soaked at the same time, a stack each, the same open-model load.",
    "",
    "| side | manifest | requests | growth MB/100k [95 %] | outside Envoy's heap MB/100k | p99 drift | restarts | own gates |",
    "|---|---|---:|---|---:|---:|---:|---|",
    row("base", base),
    row("candidate", candidate),
    "",
    ...c.gates.map((g) => `- ${g.line}`),
    "",
  ].join("\n");
}

/** Both sides' memory over the requests sent, warm-up included (the table's figures leave it out). */
export function soakComparisonPlotSpec(base: SoakSection, candidate: SoakSection): import("vega-lite").TopLevelSpec {
  const values = (side: string, s: SoakSection) => s.windowRows.map((w) => ({ side, requests: w.requests, mb: w.memoryBytes === null ? null : Math.round((w.memoryBytes / 1e6) * 10) / 10 }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Envoy memory per window: base ${base.manifest} vs candidate ${candidate.manifest}`,
    data: { values: [...values("base", base), ...values("candidate", candidate)] },
    width: 640,
    height: 220,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "requests", type: "quantitative", title: "requests sent (cumulative, each side)" },
      y: { field: "mb", type: "quantitative", title: "Envoy memory (MB)", scale: { zero: false } },
      color: { field: "side", type: "nominal", title: null },
    },
  };
}
