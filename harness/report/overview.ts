// The first screen a security reviewer reads: what the WAF blocked and let through, under which configuration,
// at what cost. A view of summary.json (itself a view of the records) and the run's configuration facts.
import type { TopLevelSpec } from "vega-lite";
import type { ConfigFacts } from "../manifest/index.ts";
import { owasp2025Name } from "../payloads/index.ts";
import type { Breakdown } from "./breakdown.ts";
import { breakdownHtml, breakdownMarkdown, rulesHtml, rulesMarkdown, rulesSentence } from "./coverage-views.ts";
import type { Detection, Tally } from "./detection.ts";
import { wilsonPct } from "./interval.ts";
import type { RuleCoverage } from "./rule-coverage.ts";
import { KINDS, type RecordKind } from "../verdict/index.ts";
import { COUNT_DEFINITIONS, describeRate, type RunCounts } from "./counts.ts";
import { esc } from "./junit.ts";
import { openapiFact, openapiHtml, openapiMarkdown, type OpenApiSummary } from "./openapi-findings.ts";
import type { RunOutcome } from "./run-model.ts";

export interface OverviewInput {
  target: { name: string; url: string };
  runId: string;
  detection?: Detection & { staleExceptions?: Array<{ id: string }> };
  stack: { envoyVersion: string; wasmSource: string; wasmSha256: string; pluginConfigSha256: string; manifest: string } | null;
  manifest: { source: string; pluginConfigSha256: string };
  config: ConfigFacts;
  corazaVersion?: string;
  /** CRS version as the running WAF logged it (`OWASP_CRS/4.14.0` on its rule lines). */
  crsVersion?: string;
  /** This run's CRS regression suite (WAF_FTW), when it ran. */
  ftw?: { passed: number; failed: number; forcedFail: number; ignored: number; undecidable: number; tests: number; crsVersion: string };
  /** The HTTP version of the run (absent: 1.1), and WAF_HTTP=both's comparison of the two passes. */
  http?: "1.1" | "2";
  protocols?: {
    comparison: { compared: number; differences: number; findings: number; counts: Record<string, number> };
    http2: { blocked: number; judged: number; falsePositives: number; benign: number };
  };
  /** WAF_GRPC=on: what the gRPC probe found (summary.json grpc.finding), or why it did not run. */
  grpc?: { finding?: string; error?: string };
  /** The latency section's overhead entries (waf vs envoy); p50DeltaMs is null when a cell had no usable sample. */
  overhead?: Array<{ scenario: string; baseline: string; shape: string; p50DeltaMs: number | null; p50DeltaCi95?: [number, number] | null; n?: number; p50Note?: string }>;
  /** The run's counts (counts.ts): every number on the first screen comes from here or from `detection`'s tables. */
  counts: RunCounts;
  /** A run that failed after it started sending: the first line says so, with what was measured. */
  outcome?: RunOutcome;
  /** Every attack that reached the app: id, kind, why, and how to send it again. */
  reachedApp?: Array<{ id: string; kind: RecordKind; reason: string; replay: string }>;
  /** WAF_OPENAPI / --openapi: findings per operation (summary.json openapi). */
  openapi?: OpenApiSummary;
  /** The last `npm run soak` (summary.json soak, carried): shown with its date, and flagged when it measured another config. */
  soak?: { generatedAt: string; pluginConfigSha256: string; requests: number; ratePerSec: number; growthMbPer100k: number | null; growthCi95: [number, number] | null; p99DriftRatio: number | null; passed: boolean };
  /** Rates by class × placement × encoding (breakdown.ts), and the CRS rule coverage (rule-coverage.ts). */
  breakdown?: Breakdown;
  rules?: RuleCoverage;
}

/** The carried soak in one line: its figures, when, and whether it measured this run's configuration. */
function soakFact(s: NonNullable<OverviewInput["soak"]>, pluginConfigSha256: string): string {
  const growth = s.growthMbPer100k === null ? "growth not estimable" : `memory ${s.growthMbPer100k >= 0 ? "+" : ""}${s.growthMbPer100k} MB per 100k requests${s.growthCi95 ? ` [${s.growthCi95[0]}, ${s.growthCi95[1]}]` : ""}`;
  const same = s.pluginConfigSha256 === pluginConfigSha256 ? "this configuration" : `ANOTHER configuration (pluginConfig sha256 ${s.pluginConfigSha256.slice(0, 12)}…): run npm run soak again`;
  return `${s.passed ? "gates passed" : "gates FAILED"}: ${growth}, p99 drift ×${s.p99DriftRatio ?? "?"} (${s.requests} requests at ${s.ratePerSec}/s; npm run soak of ${s.generatedAt}, ${same})`;
}

export type Verdict = "run-failed" | "not-blocking" | "blocks-everything" | "findings" | "clean" | "no-attacks";

export interface Overview {
  verdict: Verdict;
  /** One line: the verdict in words, first line of summary.md and the Allure report's name. */
  headline: string;
  facts: Array<[string, string]>;
  /** pct: % blocked of the judged attacks; ci95: its 95 % Wilson interval, in % (null when none was judged). */
  categories: Array<{ name: string } & Tally & { pct: number; ci95: [number, number] | null }>;
  classes: Array<{ name: string } & Tally & { pct: number; ci95: [number, number] | null }>;
  latency: string[];
  reproduce: string;
  /** One line per denominator (counts.ts), under the facts. */
  definitions: Array<[string, string]>;
  reachedApp: NonNullable<OverviewInput["reachedApp"]>;
  openapi?: OpenApiSummary;
  breakdown?: Breakdown;
  rules?: RuleCoverage;
}

// Under DetectionOnly the plug-in still rejects a body over its limit (413): a WAF that blocks under 1 % of the judged
// attacks is reported as not blocking, with the count.
const NOT_BLOCKING_BELOW = 0.01;

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 10);

export function overview(input: OverviewInput): Overview {
  const d = input.detection;
  const k = input.counts;
  const pl = d?.paranoiaLevel ?? input.config.paranoia ?? 1;
  const judged = k.attacks.judged;
  const benignJudged = k.benign.judged;
  const reached = k.attacks.reachedApp > 0 ? `; ${k.attacks.reachedApp} attacks reached the app` : "";
  let verdict: Verdict = "no-attacks";
  let headline = `${input.target.name}: no corpus request was judged in this run`;
  if (judged > 0) {
    const fp = benignJudged > 0 ? `${k.benign.falsePositives}/${benignJudged} benign requests blocked (${pct(k.benign.falsePositives, benignJudged)} %)` : "no benign traffic in this run";
    if (k.attacks.blocked / judged < NOT_BLOCKING_BELOW) {
      verdict = "not-blocking";
      headline = `${input.target.name}: the WAF is NOT blocking: ${k.attacks.blocked} of ${judged} judged attacks blocked (${pct(k.attacks.blocked, judged)} %) at paranoia level ${pl}${reached}; ${fp}`;
    } else if (benignJudged > 0 && k.benign.falsePositives === benignJudged) {
      verdict = "blocks-everything";
      headline = `${input.target.name}: the WAF blocks legitimate traffic: all ${benignJudged} benign requests blocked; ${k.attacks.blocked}/${judged} judged attacks blocked at paranoia level ${pl}`;
    } else {
      verdict = k.findings > 0 ? "findings" : "clean";
      headline = `${input.target.name}: ${k.attacks.blocked}/${judged} judged attacks blocked (${pct(k.attacks.blocked, judged)} %) at paranoia level ${pl}, ${k.attacks.bypassed} bypassed, ${k.attacks.acceptedGaps} accepted gaps${reached}; ${fp}`;
    }
  } else if (benignJudged > 0 && k.benign.falsePositives === benignJudged) {
    verdict = "blocks-everything";
    headline = `${input.target.name}: the WAF blocks legitimate traffic: all ${benignJudged} benign requests blocked`;
  }
  if (k.attacks.infra + k.benign.infra + k.conformance.infra > 0) headline += `; ${k.attacks.infra + k.benign.infra + k.conformance.infra} infrastructure errors (no verdict)`;
  if (input.outcome?.status === "failed") {
    verdict = "run-failed";
    headline = `${input.target.name}: the RUN FAILED (${input.outcome.stage}: ${input.outcome.error}); measured before it failed: ${headline.slice(input.target.name.length + 2)}`;
  }
  const p = input.protocols;
  if (p && p.comparison.findings > 0) {
    if (verdict === "clean") verdict = "findings";
    const bypasses = (p.comparison.counts["bypass-over-http2"] ?? 0) + (p.comparison.counts["bypass-over-http1"] ?? 0);
    headline += `; ${p.comparison.findings} requests judged differently over HTTP/2 than over HTTP/1.1${bypasses > 0 ? ` (${bypasses} attacks blocked over one protocol only)` : ""}`;
  }
  // % of the attacks the WAF judged (blocked, bypassed, accepted gaps); proxy-rejected or -changed ones are shown apart.
  const rows = (m: Record<string, Tally>, name: (k: string) => string) =>
    Object.entries(m)
      .filter(([, t]) => t.attacks > 0) // a category with only other levels' attacks has nothing judged to show
      .map(([k, t]) => ({ name: name(k), ...t, pct: pct(t.blocked, judgedOf(t)), ci95: ciPct(t.blocked, judgedOf(t)) }))
      .sort((a, b) => a.pct - b.pct || b.attacks - a.attacks);
  const c = input.config;
  // The Allure overview shows the first five entries of its environment panel: the reviewer's first questions.
  const facts: Array<[string, string]> = [
    [`Detection at PL${pl}`, describeRate(k.detectionRate, "judged attacks")],
    ["False-positive rate", describeRate(k.falsePositiveRate, "judged benign requests")],
    ["Reached the app", `${k.attacks.reachedApp} attacks (${k.attacks.bypassed} bypassed, ${k.attacks.acceptedGaps} accepted gaps, ${k.attacks.changedByProxy} changed by proxy, ${k.attacks.informationalReachedApp} informational)`],
    ...(p
      ? ([
          [
            "HTTP/1.1 vs HTTP/2",
            `${p.comparison.findings} of ${p.comparison.compared} requests judged differently${p.comparison.differences > p.comparison.findings ? ` (${p.comparison.differences - p.comparison.findings} more kept from the app over both by another layer)` : ""}; over HTTP/2 (TLS, ALPN h2): ${p.http2.blocked}/${p.http2.judged} attacks blocked, ${p.http2.falsePositives}/${p.http2.benign} benign blocked`,
          ],
        ] as Array<[string, string]>)
      : input.http === "2"
        ? ([["HTTP version", "HTTP/2 (TLS, ALPN h2)"]] as Array<[string, string]>)
        : []),
    ...(input.grpc ? ([["gRPC (application/grpc, HTTP/2)", input.grpc.finding ?? `not measured: ${input.grpc.error ?? "unknown"}`]] as Array<[string, string]>) : []),
    ["CRS version", input.crsVersion ?? (c.includes.some((i) => i.startsWith("@owasp_crs")) ? "not seen in the WAF's log" : "CRS not included")],
    ["Paranoia level", String(pl)],
    ["Balanced accuracy", k.balancedAccuracy === null ? "-" : `${pct(k.balancedAccuracy, 1)} %`],
    ["Engine mode", `SecRuleEngine ${c.engineMode}`],
    ["Anomaly thresholds", c.inboundThreshold !== undefined ? `inbound ${c.inboundThreshold}, outbound ${c.outboundThreshold ?? "-"}` : "-"],
    ["Exclusions", c.exclusions.length > 0 ? c.exclusions.join(" | ") : "none"],
    ...(input.rules ? ([["CRS rule coverage", rulesSentence(input.rules)]] as Array<[string, string]>) : []),
    ...(input.ftw
      ? ([
          [
            "CRS regression tests (ftw)",
            `${input.ftw.passed}/${input.ftw.tests - input.ftw.ignored} passed, ${input.ftw.failed + input.ftw.forcedFail} failed, ${input.ftw.undecidable} undecidable, ${input.ftw.ignored} ignored (CRS ${input.ftw.crsVersion}, its own configuration)`,
          ],
        ] as Array<[string, string]>)
      : []),
    ...(d
      ? ([["Detection over all attacks", `${pct(d.all.blocked, d.all.attacks)} % (${d.all.blocked}/${d.all.attacks}, whatever level their case names)`]] as Array<[string, string]>)
      : []),
    ...(input.openapi ? [openapiFact(input.openapi)] : []),
    ["Requests", `${k.requests} (${k.attacks.sent} attacks, ${k.benign.sent} benign, ${k.conformance.sent} conformance)`],
    ["Bypasses / accepted gaps", `${k.attacks.bypassed} / ${k.attacks.acceptedGaps}${d?.staleExceptions?.length ? ` (${d.staleExceptions.length} stale: blocked now)` : ""}`],
    ["Changed / rejected by proxy", `${k.attacks.changedByProxy} / ${k.attacks.rejectedByProxy + k.benign.rejectedByProxy}`],
    ["Informational (other PL or setting)", `${k.attacks.informational} attacks, ${k.benign.informational} benign`],
    ["Infrastructure errors", String(k.attacks.infra + k.benign.infra + k.conformance.infra)],
    ["Includes", c.includes.join(", ") || "none"],
    ["Envoy", input.stack?.envoyVersion ?? "remote gateway (not known here)"],
    ["Plug-in", input.stack ? `${input.stack.wasmSource}; sha256 ${input.stack.wasmSha256}` : "remote gateway (not known here)"],
    ["Coraza", input.corazaVersion ?? "unknown (not built here)"],
    ["Manifest", `${input.manifest.source}; pluginConfig sha256 ${input.manifest.pluginConfigSha256}`],
    ["Target", `${input.target.name} ${input.target.url}`],
    ["Run", input.runId],
    ...(input.soak ? [["Sustained load", soakFact(input.soak, input.manifest.pluginConfigSha256)] as [string, string]] : []),
  ];
  const latency = (input.overhead ?? [])
    .filter((o) => o.baseline === "envoy")
    .map((o) =>
      o.p50DeltaMs === null
        ? `${o.scenario} ${o.shape}: no usable sample (${o.p50Note ?? "every request was blocked or failed"})`
        : `${o.scenario} ${o.shape}: p50 +${o.p50DeltaMs.toFixed(2)} ms${o.p50DeltaCi95 ? ` [${o.p50DeltaCi95[0].toFixed(2)}, ${o.p50DeltaCi95[1].toFixed(2)}]` : ""}${o.n !== undefined ? ` (n=${o.n})` : ""}`,
    );
  const reproduce = input.stack ? stackCommand(input.stack) : `WAF_TARGET=${input.target.name} npm run waf`;
  return {
    verdict,
    headline,
    facts,
    categories: d ? rows(d.byOwasp2025, owasp2025Name) : [],
    classes: d ? rows(d.byClass, (k) => k) : [],
    latency,
    reproduce,
    definitions: Object.entries(COUNT_DEFINITIONS),
    reachedApp: input.reachedApp ?? [],
    ...(input.breakdown && { breakdown: input.breakdown }),
    ...(input.rules && { rules: input.rules }),
    ...(input.openapi && { openapi: input.openapi }),
  };
}

const judgedOf = (t: Tally) => t.blocked + (t.bypassed ?? 0) + (t.acceptedGaps ?? 0);

/** A 95 % Wilson interval in % (one decimal), or null when nothing was judged. */
const ciPct = (k: number, n: number) => wilsonPct(k, n, 1);

const ciCell = (ci: [number, number] | null) => (ci ? `${ci[0]}–${ci[1]}` : "-");

/** The command that brings a run's local stack back (the manifest; Envoy and plug-in named to check against). */
export function stackCommand(stack: { manifest: string; envoyVersion: string; wasmSha256: string }): string {
  return `WAF_PLUGIN=${stack.manifest} npm run stack   # Envoy ${stack.envoyVersion}, plug-in sha256 ${stack.wasmSha256} (WAF_WASM as for this run)`;
}

/** reports/summary.md: for a CI step summary or a pull-request comment; the verdict is its first line. */
export function overviewMarkdown(o: Overview): string {
  const table = (title: string, rows: Overview["classes"]) => [
    `| ${title} | % blocked | 95 % CI | blocked | bypassed | accepted gaps | proxy | attacks at this level | sent |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${r.pct} | ${ciCell(r.ci95)} | ${r.blocked} | ${r.bypassed ?? "-"} | ${r.acceptedGaps ?? "-"} | ${r.proxy ?? "-"} | ${r.attacks} | ${r.sent ?? "-"} |`),
  ];
  return [
    `**${o.headline}**`,
    "",
    "| | |",
    "|---|---|",
    ...o.facts.map(([k, v]) => `| ${k} | ${v.replaceAll("|", "\\|")} |`),
    "",
    ...(o.categories.length ? [...table("OWASP 2025 category", o.categories), "", ...table("class", o.classes), ""] : []),
    ...breakdownMarkdown(o.breakdown),
    ...(o.openapi ? openapiMarkdown(o.openapi) : []),
    ...reachedAppMarkdown(o),
    ...rulesMarkdown(o.rules),
    "Counts:",
    "",
    ...o.definitions.map(([k, v]) => `- **${k}**: ${v}`),
    "",
    ...(o.latency.length ? ["Latency (p50 overhead of the WAF against the same Envoy without it, 95 % CI):", "", ...o.latency.map((l) => `- ${l}`), ""] : []),
    `Bring the same stack back: \`${o.reproduce}\``,
    "",
  ].join("\n");
}

// A pull-request comment has room for a few hundred rows; index.html lists every one.
const MARKDOWN_REACHED_ROWS = 200;

function reachedAppMarkdown(o: Overview): string[] {
  if (o.reachedApp.length === 0) return ["No attack reached the app.", ""];
  const rows = o.reachedApp.slice(0, MARKDOWN_REACHED_ROWS);
  return [
    `Attacks that reached the app (${o.reachedApp.length}, the most serious first; replay from the reports folder, GATEWAY_URL= the stack's URL):`,
    "",
    "| id | what | why | replay |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${mdCell(r.id)} | ${KINDS[r.kind].short} | ${mdCell(r.reason)} | \`${mdCell(r.replay.length > 300 ? `${r.replay.slice(0, 300)}…` : r.replay).replaceAll("`", "'")}\` |`),
    ...(o.reachedApp.length > rows.length ? [``, `… ${o.reachedApp.length - rows.length} more in index.html (every one, with its full replay)`] : []),
    "",
  ];
}

const mdCell = (text: string) => text.replace(/\r?\n/g, " ").replaceAll("|", "\\|");

/** The bar plot of the first screen: blocked % per OWASP category, weakest first, n on each bar. */
export function categoriesSpec(o: Overview): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Attacks blocked per OWASP 2025 category", subtitle: "attacks the WAF judged at the run's paranoia level (proxy-rejected ones apart); n = blocked/judged" },
    data: { values: o.categories.map((c) => ({ category: c.name, pct: c.pct, n: `${c.blocked}/${c.blocked + (c.bypassed ?? 0) + (c.acceptedGaps ?? 0)}` })) },
    width: 420,
    height: { step: 22 },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "category", type: "nominal", sort: { field: "pct", order: "ascending" }, title: null, axis: { labelLimit: 300 } },
          x: { field: "pct", type: "quantitative", title: "% blocked", scale: { domain: [0, 100] } },
          color: { condition: { test: "datum.pct < 100", value: "#d9822b" }, value: "#2f8f4e" },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11 },
        encoding: { y: { field: "category", type: "nominal", sort: { field: "pct", order: "ascending" } }, x: { field: "pct", type: "quantitative" }, text: { field: "n" } },
      },
    ],
  };
}

/** The heat map and the rule-coverage plot (SVG), when the render made them. */
export interface CoveragePlots {
  heatmap?: string;
  rules?: string;
}

/** reports/index.html: the first screen, one self-contained page beside the Allure report. */
export function overviewHtml(o: Overview, plotSvg: string, allureLink: string | undefined, latencySvgs: readonly string[] = [], plots: CoveragePlots = {}): string {
  const color = o.verdict === "clean" ? "#2f8f4e" : o.verdict === "findings" ? "#d9822b" : "#c0392b";
  const reached = o.reachedApp.length
    ? `<h2 id="reached-app">Attacks that reached the app (${o.reachedApp.length})</h2><p>The most serious first. Replay from the reports folder; set GATEWAY_URL to a stack's URL (the command at the end brings the same one back).</p><table><tr><th>id</th><th>what</th><th>why</th><th>replay</th></tr>${o.reachedApp
        .map((r) => `<tr><td><code>${esc(r.id)}</code></td><td style="color:${KINDS[r.kind].colour}" title="${esc(KINDS[r.kind].label)}">${esc(KINDS[r.kind].short)}</td><td>${esc(r.reason)}</td><td><details><summary>curl</summary><code>${esc(r.replay)}</code></details></td></tr>`)
        .join("")}</table>`
    : `<p id="reached-app">No attack reached the app.</p>`;
  const table = (title: string, rows: Overview["classes"]) =>
    `<table><tr><th>${esc(title)}</th><th>% blocked</th><th>95 % CI</th><th>blocked</th><th>bypassed</th><th>accepted gaps</th><th>proxy</th><th>attacks at this level</th><th>sent</th></tr>${rows
      .map((r) => `<tr><td>${esc(r.name)}</td><td>${r.pct}</td><td>${ciCell(r.ci95)}</td><td>${r.blocked}</td><td>${r.bypassed ?? "-"}</td><td>${r.acceptedGaps ?? "-"}</td><td>${r.proxy ?? "-"}</td><td>${r.attacks}</td><td>${r.sent ?? "-"}</td></tr>`)
      .join("")}</table>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(o.headline)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}h1{font-size:20px;color:${color}}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}.cols{display:flex;gap:24px;flex-wrap:wrap}code{font-size:12px}</style>
</head><body>
<h1 id="verdict">${esc(o.headline)}</h1>
<table id="facts">${o.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
<div class="cols"><div>${plotSvg}</div><div>${table("OWASP 2025 category", o.categories)}${table("class", o.classes)}</div></div>
${breakdownHtml(o.breakdown, plots.heatmap ?? "")}
${o.openapi ? openapiHtml(o.openapi) : ""}
${reached}
${rulesHtml(o.rules, plots.rules ?? "")}
<h2>What the counts mean</h2><dl id="definitions">${o.definitions.map(([k, v]) => `<dt><b>${esc(k)}</b></dt><dd>${esc(v)}</dd>`).join("")}</dl>
${o.latency.length ? `<h2>Latency</h2><p>p50 overhead of the WAF against the same Envoy without it (95 % CI):</p><ul>${o.latency.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>` : ""}
${latencySvgs.length ? `<div class="cols">${latencySvgs.map((svg) => `<div>${svg}</div>`).join("")}</div>` : ""}
<p>Bring the same stack back: <code>${esc(o.reproduce)}</code></p>
${allureLink ? `<p><a href="${esc(allureLink)}">Every request, with its replay command and matched rules: the Allure report</a></p>` : ""}
</body></html>
`;
}
