// The breakdown (class × placement × encoding) and the rule coverage as summary.md and index.html show them: the
// thinnest cells, where false positives cluster, the margins with their intervals; rules loaded, fired, never fired,
// and the fragile (single-rule) blocks. Text renders of breakdown.ts and rule-coverage.ts (pure).
import { falsePositiveClusters, thinnestCells, type Breakdown, type RateCell } from "./breakdown.ts";
import { esc } from "./junit.ts";
import type { RuleCoverage } from "./rule-coverage.ts";

const LIST = 12;
const pctText = (c: RateCell) => `${Math.round(c.rate * 1000) / 10} %`;
const ciText = (c: RateCell) => `${Math.round(c.ci95[0] * 1000) / 10}–${Math.round(c.ci95[1] * 1000) / 10} %`;
const md = (t: string) => t.replace(/\r?\n/g, " ").replaceAll("|", "\\|");

/** Rows of the breakdown's tables: [title, header, rows] (markdown and HTML render the same rows). */
function breakdownTables(b: Breakdown): Array<{ title: string; header: string[]; rows: string[][] }> {
  const thin = thinnestCells(b, LIST);
  const fp = falsePositiveClusters(b, LIST);
  const margin = (m: Record<string, RateCell>) =>
    Object.entries(m)
      .sort((x, y) => x[1].rate - y[1].rate || y[1].n - x[1].n)
      .map(([k, c]) => [k, `${c.k}/${c.n}`, pctText(c), ciText(c)]);
  return [
    {
      title: thin.length > 0 ? `Where detection is thin: the ${thin.length} class × placement × encoding cells with the lowest detection (of ${b.attacks.length} cells)` : `Detection: every one of the ${b.attacks.length} class × placement × encoding cells blocked all its judged attacks`,
      header: ["class", "placement", "encoding", "blocked/judged", "%", "95 % CI", "bypassed", "accepted gaps"],
      rows: thin.map((c) => [c.class, c.placement, c.encoding, `${c.k}/${c.n}`, pctText(c), ciText(c), String(c.bypassed), String(c.acceptedGaps)]),
    },
    {
      title: fp.length > 0 ? `Where false positives cluster: the ${fp.length} placement × encoding cells of benign requests with the most` : `False positives: none in any of the ${b.benign.length} class × placement × encoding cells of benign requests`,
      header: ["class", "placement", "encoding", "blocked/judged benign", "%", "95 % CI"],
      rows: fp.map((c) => [c.class, c.placement, c.encoding, `${c.k}/${c.n}`, pctText(c), ciText(c)]),
    },
    { title: "Detection by placement (judged attacks)", header: ["placement", "blocked/judged", "%", "95 % CI"], rows: margin(b.byPlacement) },
    { title: "Detection by encoding (judged attacks)", header: ["encoding", "blocked/judged", "%", "95 % CI"], rows: margin(b.byEncoding) },
    { title: "False positives by placement (judged benign requests)", header: ["placement", "blocked/judged", "%", "95 % CI"], rows: margin(b.benignByPlacement).reverse() },
  ];
}

/** One paragraph: the rule coverage in numbers. */
export function rulesSentence(c: RuleCoverage): string {
  if (!c.measured) return `Rule coverage not measured: ${c.note ?? "no WAF log"}.`;
  const t = c.totals;
  const f = c.fragile;
  const loaded = c.catalog
    ? `${t.loaded} CRS rules loaded from ${c.catalog.files} rule files (CRS ${c.catalog.crsVersion ?? "?"}${c.catalog.removedByConfig.length ? `, ${c.catalog.removedByConfig.length} removed by the configuration` : ""}); ${t.detection} add anomaly points, ${t.active + t.unobservable} of them at or below paranoia level ${c.paranoiaLevel}: ${t.active - t.neverFired} fired, ${t.neverFired} never fired, ${t.unobservable} inspect response bodies (phase 4), whose matches this plug-in does not log (${t.aboveLevel} more sit above the level)`
    : `${t.fired} rules fired (the loaded rules are not known: ${c.note ?? "no catalog"})`;
  return `${loaded}. Fragile detection: ${f.singleRule} of ${f.blockedByScore} attacks blocked by anomaly score were blocked by a single rule's score (${f.contributors.two} by two rules, ${f.contributors.threeOrMore} by three or more).${c.catalog && c.note ? ` Note: ${c.note}.` : ""}`;
}

function rulesTables(c: RuleCoverage): Array<{ title: string; header: string[]; rows: string[][] }> {
  if (!c.measured) return [];
  const detection = c.fired.filter((u) => u.role === "detection");
  const fragile = detection.filter((u) => u.singleRuleBlocks > 0).sort((a, b) => b.singleRuleBlocks - a.singleRuleBlocks || a.id - b.id);
  const benign = c.fired.filter((u) => u.benign > 0).sort((a, b) => b.falsePositives - a.falsePositives || b.benign - a.benign || a.id - b.id);
  const byFile = new Map<string, number[]>();
  for (const r of c.neverFired) (byFile.get(r.file) ?? byFile.set(r.file, []).get(r.file)!).push(r.id);
  return [
    { title: `Rules that blocked attacks alone (fragile detection: one exclusion away from a bypass): ${fragile.length}`, header: ["rule", "attacks blocked by it alone", "attacks matched", "message"], rows: fragile.slice(0, LIST).map((u) => [String(u.id), String(u.singleRuleBlocks), String(u.attacks), u.msg ?? ""]) },
    { title: `Rules that matched benign requests: ${benign.length}`, header: ["rule", "benign matched", "of them blocked (false positives)", "attacks matched", "message"], rows: benign.slice(0, LIST).map((u) => [String(u.id), String(u.benign), String(u.falsePositives), String(u.attacks), u.msg ?? ""]) },
    { title: `Active detection rules that never fired, by rule file: ${c.neverFired.length}`, header: ["rule file", "rules"], rows: [...byFile.entries()].map(([file, ids]) => [file, ids.join(" ")]) },
  ];
}

const mdTable = (t: { title: string; header: string[]; rows: string[][] }) =>
  t.rows.length === 0 ? [`${t.title}.`, ""] : [`${t.title}:`, "", `| ${t.header.join(" | ")} |`, `|${t.header.map(() => "---").join("|")}|`, ...t.rows.map((r) => `| ${r.map(md).join(" | ")} |`), ""];

const htmlTable = (t: { title: string; header: string[]; rows: string[][] }) =>
  t.rows.length === 0 ? `<p>${esc(t.title)}.</p>` : `<h3>${esc(t.title)}</h3><table><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${t.rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`).join("")}</table>`;

export function breakdownMarkdown(b: Breakdown | undefined): string[] {
  if (!b) return [];
  return ["### Detection and false positives by class × placement × encoding", "", `Every cell: ${b.definitions.attacks}; benign: ${b.definitions.benign}. All cells: summary.json detection.breakdown; the heat map: index.html.`, "", ...breakdownTables(b).flatMap(mdTable)];
}

export function rulesMarkdown(c: RuleCoverage | undefined): string[] {
  if (!c) return [];
  return ["### CRS rule coverage", "", rulesSentence(c), "", ...rulesTables(c).flatMap(mdTable)];
}

export function breakdownHtml(b: Breakdown | undefined, heatmapSvg: string): string {
  if (!b) return "";
  const [thin, fp, ...margins] = breakdownTables(b);
  return `<h2 id="breakdown">Detection and false positives by class × placement × encoding</h2><p>${esc(`Every cell: ${b.definitions.attacks}; benign: ${b.definitions.benign}.`)}</p>
<div id="heatmap">${heatmapSvg}</div>
${htmlTable(thin!)}${htmlTable(fp!)}<div class="cols">${margins.map((t) => `<div>${htmlTable(t)}</div>`).join("")}</div>`;
}

export function rulesHtml(c: RuleCoverage | undefined, plotSvg: string): string {
  if (!c) return "";
  return `<h2 id="rules">CRS rule coverage</h2><p>${esc(rulesSentence(c))}</p>${plotSvg ? `<div>${plotSvg}</div>` : ""}<details><summary>Fragile blocks, rules behind benign matches, rules that never fired</summary>${rulesTables(c).map(htmlTable).join("")}</details>`;
}

