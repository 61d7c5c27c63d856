// The first screen a security reviewer reads: what the WAF blocked and let through, under which configuration,
// at what cost. A view of summary.json (itself a view of the records) and the run's configuration facts.
import type { TopLevelSpec } from "vega-lite";
import type { ConfigFacts } from "../manifest/config-facts.ts";
import { owasp2025Name } from "../payloads/owasp-names.ts";
import type { Detection, Tally } from "./detection.ts";
import { esc } from "./junit.ts";

export interface OverviewInput {
  target: { name: string; url: string };
  runId: string;
  detection?: Detection & { staleExceptions?: Array<{ id: string }> };
  suites: Record<string, { passed: number; failed: number; skipped: number; infra: number }>;
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
  /** summary.json latency(Probe).overhead entries (waf vs envoy). */
  overhead?: Array<{ scenario: string; baseline: string; shape: string; p50DeltaMs: number; p50DeltaCi95?: [number, number]; n?: number }>;
}

export type Verdict = "not-blocking" | "blocks-everything" | "findings" | "clean" | "no-attacks";

export interface Overview {
  verdict: Verdict;
  /** One line: the verdict in words, first line of summary.md and the Allure report's name. */
  headline: string;
  facts: Array<[string, string]>;
  categories: Array<{ name: string } & Tally & { pct: number }>;
  classes: Array<{ name: string } & Tally & { pct: number }>;
  latency: string[];
  reproduce: string;
}

const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 10);

export function overview(input: OverviewInput): Overview {
  const d = input.detection;
  const pl = d?.paranoiaLevel ?? input.config.paranoia ?? 1;
  const judged = d ? d.blocked + d.bypassed + d.acceptedGaps : 0;
  const benignJudged = d ? d.benign : 0;
  let verdict: Verdict = "no-attacks";
  let headline = `${input.target.name}: no corpus request was judged in this run`;
  if (d && judged > 0) {
    const fp = benignJudged > 0 ? `${d.falsePositives}/${benignJudged} benign requests blocked (${pct(d.falsePositives, benignJudged)} %)` : "no benign traffic in this run";
    if (d.blocked === 0) {
      verdict = "not-blocking";
      headline = `${input.target.name}: the WAF is NOT blocking: 0 of ${judged} attacks blocked (0 %) at paranoia level ${pl}; ${fp}`;
    } else if (benignJudged > 0 && d.falsePositives === benignJudged) {
      verdict = "blocks-everything";
      headline = `${input.target.name}: the WAF blocks legitimate traffic: all ${benignJudged} benign requests blocked; ${d.blocked}/${judged} attacks blocked at paranoia level ${pl}`;
    } else {
      verdict = d.bypassed > 0 || d.falsePositives > 0 || d.infra > 0 ? "findings" : "clean";
      headline = `${input.target.name}: ${d.blocked}/${judged} attacks blocked (${pct(d.blocked, judged)} %) at paranoia level ${pl}, ${d.bypassed} bypassed, ${d.acceptedGaps} accepted gaps; ${fp}`;
    }
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
      .map(([k, t]) => ({ name: name(k), ...t, pct: pct(t.blocked, t.blocked + (t.bypassed ?? 0) + (t.acceptedGaps ?? 0)) }))
      .sort((a, b) => a.pct - b.pct || b.attacks - a.attacks);
  const c = input.config;
  // The Allure overview shows the first five entries of its environment panel: the reviewer's first questions.
  const facts: Array<[string, string]> = [
    ...(d
      ? ([
          [`Detection at PL${pl}`, `${pct(d.blocked, judged)} % (${d.blocked}/${judged} judged attacks; TPR ${d.truePositiveRate ?? "-"})`],
          ["False-positive rate", `${pct(d.falsePositives, benignJudged)} % (${d.falsePositives}/${benignJudged} benign requests)`],
        ] as Array<[string, string]>)
      : []),
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
    ["Engine mode", `SecRuleEngine ${c.engineMode}`],
    ["Anomaly thresholds", c.inboundThreshold !== undefined ? `inbound ${c.inboundThreshold}, outbound ${c.outboundThreshold ?? "-"}` : "-"],
    ["Exclusions", c.exclusions.length > 0 ? c.exclusions.join(" | ") : "none"],
    ...(input.ftw
      ? ([
          [
            "CRS regression tests (ftw)",
            `${input.ftw.passed}/${input.ftw.tests - input.ftw.ignored} passed, ${input.ftw.failed + input.ftw.forcedFail} failed, ${input.ftw.undecidable} undecidable, ${input.ftw.ignored} ignored (CRS ${input.ftw.crsVersion}, its own configuration)`,
          ],
        ] as Array<[string, string]>)
      : []),
    ...(d
      ? ([
          ["Detection over all attacks", `${pct(d.all.blocked, d.all.attacks)} % (${d.all.blocked}/${d.all.attacks}, whatever level their case names)`],
          ["Bypasses / accepted gaps", `${d.bypassed} / ${d.acceptedGaps}${d.staleExceptions?.length ? ` (${d.staleExceptions.length} stale: blocked now)` : ""}`],
          ["Changed / rejected by proxy", `${d.changedByProxy} / ${d.rejectedByProxy}`],
          ["Informational (other PL or setting)", `${d.informational.attacks} attacks, ${d.informational.benign} benign`],
          ["Infrastructure errors", String(d.infra)],
        ] as Array<[string, string]>)
      : []),
    ["Includes", c.includes.join(", ") || "none"],
    ["Envoy", input.stack?.envoyVersion ?? "remote gateway (not known here)"],
    ["Plug-in", input.stack ? `${input.stack.wasmSource}; sha256 ${input.stack.wasmSha256}` : "remote gateway (not known here)"],
    ["Coraza", input.corazaVersion ?? "unknown (not built here)"],
    ["Manifest", `${input.manifest.source}; pluginConfig sha256 ${input.manifest.pluginConfigSha256}`],
    ["Target", `${input.target.name} ${input.target.url}`],
    ["Run", input.runId],
  ];
  const latency = (input.overhead ?? [])
    .filter((o) => o.baseline === "envoy")
    .map((o) => `${o.scenario} ${o.shape}: p50 +${o.p50DeltaMs.toFixed(2)} ms${o.p50DeltaCi95 ? ` [${o.p50DeltaCi95[0].toFixed(2)}, ${o.p50DeltaCi95[1].toFixed(2)}]` : ""}${o.n !== undefined ? ` (n=${o.n})` : ""}`);
  const reproduce = input.stack ? stackCommand(input.stack) : `WAF_TARGET=${input.target.name} npm run waf`;
  return {
    verdict,
    headline,
    facts,
    categories: d ? rows(d.byOwasp2025, owasp2025Name) : [],
    classes: d ? rows(d.byClass, (k) => k) : [],
    latency,
    reproduce,
  };
}

/** The command that brings a run's local stack back (the manifest; Envoy and plug-in named to check against). */
export function stackCommand(stack: { manifest: string; envoyVersion: string; wasmSha256: string }): string {
  return `WAF_PLUGIN=${stack.manifest} npm run stack   # Envoy ${stack.envoyVersion}, plug-in sha256 ${stack.wasmSha256} (WAF_WASM as for this run)`;
}

/** reports/summary.md: for a CI step summary or a pull-request comment; the verdict is its first line. */
export function overviewMarkdown(o: Overview): string {
  const table = (title: string, rows: Overview["classes"]) => [
    `| ${title} | % blocked | blocked | bypassed | accepted gaps | proxy | attacks |`,
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.name} | ${r.pct} | ${r.blocked} | ${r.bypassed ?? "-"} | ${r.acceptedGaps ?? "-"} | ${r.proxy ?? "-"} | ${r.attacks} |`),
  ];
  return [
    `**${o.headline}**`,
    "",
    "| | |",
    "|---|---|",
    ...o.facts.map(([k, v]) => `| ${k} | ${v.replaceAll("|", "\\|")} |`),
    "",
    ...(o.categories.length ? [...table("OWASP 2025 category", o.categories), "", ...table("class", o.classes), ""] : []),
    ...(o.latency.length ? ["Latency (p50 overhead of the WAF against the same Envoy without it, 95 % CI):", "", ...o.latency.map((l) => `- ${l}`), ""] : []),
    `Bring the same stack back: \`${o.reproduce}\``,
    "",
  ].join("\n");
}

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

/** reports/index.html: the first screen, one self-contained page beside the Allure report. */
export function overviewHtml(o: Overview, plotSvg: string, allureLink: string | undefined, latencySvgs: readonly string[] = []): string {
  const color = o.verdict === "clean" ? "#2f8f4e" : o.verdict === "findings" ? "#d9822b" : "#c0392b";
  const table = (title: string, rows: Overview["classes"]) =>
    `<table><tr><th>${esc(title)}</th><th>% blocked</th><th>blocked</th><th>bypassed</th><th>accepted gaps</th><th>proxy</th><th>attacks</th></tr>${rows
      .map((r) => `<tr><td>${esc(r.name)}</td><td>${r.pct}</td><td>${r.blocked}</td><td>${r.bypassed ?? "-"}</td><td>${r.acceptedGaps ?? "-"}</td><td>${r.proxy ?? "-"}</td><td>${r.attacks}</td></tr>`)
      .join("")}</table>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(o.headline)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}h1{font-size:20px;color:${color}}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}.cols{display:flex;gap:24px;flex-wrap:wrap}code{font-size:12px}</style>
</head><body>
<h1 id="verdict">${esc(o.headline)}</h1>
<table id="facts">${o.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
<div class="cols"><div>${plotSvg}</div><div>${table("OWASP 2025 category", o.categories)}${table("class", o.classes)}</div></div>
${o.latency.length ? `<h2>Latency</h2><p>p50 overhead of the WAF against the same Envoy without it (95 % CI):</p><ul>${o.latency.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>` : ""}
${latencySvgs.length ? `<div class="cols">${latencySvgs.map((svg) => `<div>${svg}</div>`).join("")}</div>` : ""}
<p>Bring the same stack back: <code>${esc(o.reproduce)}</code></p>
${allureLink ? `<p><a href="${esc(allureLink)}">Every request, with its replay command and matched rules: the Allure report</a></p>` : ""}
</body></html>
`;
}
