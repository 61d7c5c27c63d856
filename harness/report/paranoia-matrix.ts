import type { TopLevelSpec } from "vega-lite";
import type { Detection } from "./detection.ts";
import { wilsonPct } from "./interval.ts";

/** One paranoia level's figures over the whole corpus (every request, whatever level its case names). */
export interface MatrixRow {
  paranoiaLevel: number;
  attacks: number;
  blocked: number;
  blockedPct: number;
  benign: number;
  falsePositives: number;
  falsePositivePct: number;
  /** 95 % Wilson intervals of the two percentages, in % (null when nothing was sent). */
  blockedCi95: [number, number] | null;
  falsePositiveCi95: [number, number] | null;
  infra: number;
}

/** A 95 % Wilson interval in % (two decimals), or null for an empty denominator. */
const ciPct = (k: number, n: number) => wilsonPct(k, n, 2);

export function matrixRow(level: number, detection: Detection): MatrixRow {
  const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 100);
  const { attacks, blocked, benign, falsePositives } = detection.all;
  return {
    paranoiaLevel: level, attacks, blocked, blockedPct: pct(blocked, attacks), benign, falsePositives, falsePositivePct: pct(falsePositives, benign),
    blockedCi95: ciPct(blocked, attacks), falsePositiveCi95: ciPct(falsePositives, benign), infra: detection.infra,
  };
}

/** Blocked-% and false-positive-% per paranoia level, side by side. */
export function matrixSpec(rows: readonly MatrixRow[], subtitle: string): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { level: `PL${r.paranoiaLevel}`, measure: "attacks blocked %", pct: r.blockedPct, low: r.blockedCi95?.[0] ?? r.blockedPct, high: r.blockedCi95?.[1] ?? r.blockedPct, n: `${r.blocked}/${r.attacks}` },
    { level: `PL${r.paranoiaLevel}`, measure: "benign blocked % (false positives)", pct: r.falsePositivePct, low: r.falsePositiveCi95?.[0] ?? r.falsePositivePct, high: r.falsePositiveCi95?.[1] ?? r.falsePositivePct, n: `${r.falsePositives}/${r.benign}` },
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "What each CRS paranoia level adds", subtitle: [subtitle, "bars: 95 % Wilson intervals"] },
    data: { values },
    width: 360,
    height: 240,
    layer: [
      {
        mark: { type: "rule", strokeWidth: 2, opacity: 0.5 },
        encoding: { x: { field: "level", type: "ordinal" }, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color: { field: "measure", type: "nominal" } },
      },
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "level", type: "ordinal", title: "blocking paranoia level" },
          y: { field: "pct", type: "quantitative", title: "% of requests blocked", scale: { domain: [0, 100] } },
          color: { field: "measure", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 0 } },
        },
      },
      {
        mark: { type: "text", dy: -10, fontSize: 10 },
        encoding: { x: { field: "level", type: "ordinal" }, y: { field: "pct", type: "quantitative" }, text: { field: "n" }, color: { field: "measure", type: "nominal" } },
      },
    ],
  };
}
