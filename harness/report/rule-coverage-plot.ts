// The rule-coverage plot: per CRS rule file, its detection rules that fired (on attacks only, or on benign requests
// too), never fired, or sit above the run's paranoia level; beside it, the rules that matched the most attacks, with
// the attacks each blocked alone (fragile detection) and the benign requests it matched. A vega-lite spec (pure).
import type { TopLevelSpec } from "vega-lite";
import type { RuleCoverage } from "./rule-coverage.ts";

const STATES = ["fired on attacks only", "fired on benign requests too", "never fired", "response body (phase 4): not in the log", "above the paranoia level"] as const;
const STATE_COLOURS = ["#2f8f4e", "#c0392b", "#f0b429", "#9db4cc", "#cfd6dd"];
const MEASURES = ["attacks matched", "attacks blocked by this rule alone", "benign requests matched"] as const;
const MEASURE_COLOURS = ["#4c78a8", "#f0b429", "#c0392b"];
const TOP_RULES = 25;

/** "942 application attack sqli" from REQUEST-942-APPLICATION-ATTACK-SQLI.conf */
export const fileLabel = (file: string) => file.replace(/^(REQUEST|RESPONSE)-/, "").replace(/\.conf$/, "").replace(/-/, " ").replaceAll("-", " ").toLowerCase();

export function ruleCoverageSpec(c: RuleCoverage): TopLevelSpec {
  const perFile = c.files
    .filter((f) => f.detection > 0)
    .flatMap((f) => {
      const benignRules = c.fired.filter((u) => u.file === f.file && u.role === "detection" && u.benign > 0 && (u.paranoia ?? 1) <= c.paranoiaLevel).length;
      const counts = [f.fired - benignRules, benignRules, f.neverFired, f.unobservable, f.aboveLevel];
      return STATES.map((state, i) => ({ file: fileLabel(f.file), state, order: i, rules: counts[i]! }));
    })
    .filter((d) => d.rules > 0);
  const topRules = c.fired.filter((u) => u.role === "detection").slice(0, TOP_RULES);
  const labelOf = (u: RuleCoverage["fired"][number]) => `${u.id}${u.msg ? ` ${u.msg.slice(0, 44)}${u.msg.length > 44 ? "…" : ""}` : ""}`;
  const order = topRules.map(labelOf);
  const top = topRules.flatMap((u) => [u.attacks, u.singleRuleBlocks, u.benign].map((n, i) => ({ rule: labelOf(u), measure: MEASURES[i]!, n })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `CRS rule coverage at paranoia level ${c.paranoiaLevel}: ${c.totals.active - c.totals.neverFired} of ${c.totals.active} active detection rules fired, ${c.totals.neverFired} never`,
      subtitle: `${c.totals.loaded} rules loaded (${c.totals.detection} add anomaly points); ${c.fragile.singleRule} of ${c.fragile.blockedByScore} score-blocked attacks were blocked by one rule alone`,
      anchor: "start",
    },
    // One above the other: the page stays about 800 px wide.
    vconcat: [
      {
        title: "Detection rules per rule file",
        data: { values: perFile },
        width: 300,
        height: { step: 18 },
        mark: { type: "bar" },
        encoding: {
          y: { field: "file", type: "nominal", title: null, sort: null, axis: { labelLimit: 500 } },
          x: { field: "rules", type: "quantitative", stack: "zero", title: "rules" },
          color: { field: "state", type: "nominal", title: null, scale: { domain: [...STATES], range: STATE_COLOURS }, legend: { orient: "bottom", columns: 2, labelLimit: 600 } },
          order: { field: "order", type: "quantitative" },
        },
      },
      {
        title: `The ${Math.min(TOP_RULES, order.length)} detection rules that matched the most attacks`,
        data: { values: top },
        width: 260,
        height: { step: 9 },
        mark: { type: "bar" },
        encoding: {
          y: { field: "rule", type: "nominal", title: null, sort: order, axis: { labelLimit: 500 } },
          yOffset: { field: "measure", type: "nominal", sort: [...MEASURES] },
          x: { field: "n", type: "quantitative", title: "requests" },
          color: { field: "measure", type: "nominal", title: null, scale: { domain: [...MEASURES], range: MEASURE_COLOURS }, legend: { orient: "bottom", columns: 1, labelLimit: 300 } },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
    config: { axis: { labelFontSize: 10 } },
  } as TopLevelSpec;
}
