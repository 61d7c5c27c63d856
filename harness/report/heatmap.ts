// The first screen's heat map: detection by class × placement and class × encoding, false positives by placement ×
// encoding, each cell k/n of the run's judged requests. A vega-lite spec built from the breakdown (pure).
import type { TopLevelSpec } from "vega-lite";
import { placementColumn, type Breakdown } from "./breakdown.ts";

interface HeatCell {
  row: string;
  col: string;
  k: number;
  n: number;
  rate: number;
  label: string;
}

/** Sums cells into (row, column) pairs. */
function heat<T extends { k: number; n: number }>(cells: readonly T[], row: (c: T) => string, col: (c: T) => string): HeatCell[] {
  const m = new Map<string, HeatCell>();
  for (const c of cells) {
    const key = `${row(c)}\u0000${col(c)}`;
    const h = m.get(key) ?? m.set(key, { row: row(c), col: col(c), k: 0, n: 0, rate: 0, label: "" }).get(key)!;
    h.k += c.k;
    h.n += c.n;
  }
  return [...m.values()].map((h) => ({ ...h, rate: h.k / h.n, label: `${h.k}/${h.n}` }));
}

/** Columns by how many requests they hold, the most first. */
function columnsBySize(cells: readonly HeatCell[]): string[] {
  const size = new Map<string, number>();
  for (const c of cells) size.set(c.col, (size.get(c.col) ?? 0) + c.n);
  return [...size.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

const STEP = 36;
/** Cells light enough for black text (the scale's yellow middle). */
const DARK_TEXT = "datum.rate >= 0.25 && datum.rate < 0.85";

function panel(title: string, cells: HeatCell[], rows: string[], colTitle: string, rowTitle: string | null, color: Record<string, unknown>, textDark: string) {
  const cols = columnsBySize(cells);
  const x = { field: "col", type: "nominal", sort: cols, title: colTitle, axis: { orient: "top", labelAngle: -50, labelLimit: 160 } } as const;
  // A panel beside another with the same rows (rowTitle null) leaves the row labels to the first.
  const y = { field: "row", type: "nominal", sort: rows, title: rowTitle, axis: rowTitle === null ? null : { labelLimit: 160 } } as const;
  return {
    title: { text: title, fontSize: 13 },
    data: { values: cells },
    width: { step: STEP },
    height: { step: 20 },
    layer: [
      { mark: { type: "rect", stroke: "#e0e0e0", strokeWidth: 1 }, encoding: { x, y, color: { field: "rate", type: "quantitative", ...color } } },
      { mark: { type: "text", fontSize: 8 }, encoding: { x, y, text: { field: "label" }, color: { condition: { test: textDark, value: "#000" }, value: "#fff" } } },
    ],
  };
}

/** The heat map: where detection is thin (the thinnest classes on top), where false positives cluster. */
export function heatmapSpec(b: Breakdown): TopLevelSpec {
  const attackCells = b.attacks.map((c) => ({ ...c, k: c.k, n: c.n }));
  // The thinnest classes first: a reviewer reads the top rows.
  const rows = Object.entries(b.byClass).sort((x, y) => x[1].rate - y[1].rate || y[1].n - x[1].n).map(([k]) => k);
  const detection = { title: "% blocked", scale: { domain: [0, 1], scheme: "redyellowgreen" }, legend: { format: ".0%", orient: "bottom", gradientLength: 160 } };
  const fp = { title: "% benign blocked", scale: { domain: [0, Math.max(0.1, ...b.benign.map((c) => c.rate))], range: ["#ffffff", "#c0392b"], interpolate: "rgb" }, legend: { format: ".0%", orient: "bottom", gradientLength: 160 } };
  const benignCells = heat(b.benign, (c) => placementColumn(c.placement), (c) => c.encoding);
  const benignRows = columnsBySize(benignCells.map((c) => ({ ...c, col: c.row })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Where detection is thin, where false positives cluster",
      subtitle: [
        "each cell: k/n of the requests judged at the run's paranoia level (attacks blocked; benign requests blocked);",
        "the thinnest classes on top; every header placement is one column (header:*);",
        "summary.json detection.breakdown: each class × placement × encoding cell with its 95 % interval",
      ],
      anchor: "start",
    },
    // One panel a row where it is wide (placements), two side by side below: the page stays about 800 px wide.
    vconcat: [
      panel("Attacks blocked: class × placement", heat(attackCells, (c) => c.class, (c) => placementColumn(c.placement)), rows, "placement", "class", detection, DARK_TEXT),
      {
        hconcat: [
          panel("Attacks blocked: class × encoding", heat(attackCells, (c) => c.class, (c) => c.encoding), rows, "encoding", "class", { ...detection, legend: null }, DARK_TEXT),
          ...(benignCells.length > 0 ? [panel("Benign blocked (false positives)", benignCells, benignRows, "encoding", "placement", fp, "datum.rate < 0.5")] : []),
        ],
        resolve: { scale: { color: "independent" } },
      },
    ],
    resolve: { scale: { color: "independent" } },
    config: { view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 } },
  } as TopLevelSpec;
}
