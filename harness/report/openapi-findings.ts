// summary.json `openapi` and its first-screen table: what the OpenAPI generation made (its own facts, RunSections.openapi)
// and, from the records alone, which operations' valid requests were blocked (with the rules and the fields that
// matched) and which parameters let which classes through. A view: it decides nothing. Pure.
import type { WafRecord } from "../engine/index.ts";
import type { OpenApiGeneration, OpenApiMeta } from "../openapi/index.ts";
import { recordKind } from "./counts.ts";
import { esc } from "./junit.ts";

export interface RuleHit { id: number; msg?: string; field?: string }

export interface OpenApiSummary {
  specs: OpenApiGeneration["specs"];
  settings: OpenApiGeneration["settings"];
  operations: number;
  operationsWithValidBenign: number;
  benignValidShare: number | null;
  requests: { benign: number; attacks: number };
  /** Operations for which no valid benign request could be made, with the reason. */
  noBenign: Array<{ operation: string; method: string; path: string; reason: string }>;
  /** Valid (benign) requests the WAF blocked: false positives, with the rules that scored and the field each matched. */
  falsePositives: Array<{ id: string; operation: string; method: string; path: string; variant?: string; rules: RuleHit[] }>;
  falsePositiveOperations: number;
  falsePositivesByRule: Array<{ id: number; msg?: string; requests: number; operations: number; methods: string[]; fields: string[] }>;
  /** Per attacked parameter that let attacks through: the classes (and requests) that reached the app. */
  bypassesByParameter: Array<{ operation: string; method: string; path: string; parameter: string; classes: Record<string, number>; ids: string[] }>;
  /**
   * Attacks blocked / judged on operations whose valid requests all passed: where the WAF also blocks the valid
   * request (a method CRS does not allow, a content type), blocking the attack says nothing about its payload.
   */
  detectionWhereValidPasses: { blocked: number; judged: number };
  /** Attacks that got through and attacks sent, per parameter location (path, query, header, cookie, body). */
  bypassesByLocation: Record<string, { bypassed: number; attacks: number }>;
  /** Operations with a finding (false positive or bypass), the worst first. */
  byOperation: Array<{ operation: string; method: string; path: string; benign: number; falsePositives: number; attacks: number; blocked: number; bypassed: number; bypassedParameters: string[] }>;
}

// CRS's evaluation and reporting rules score nothing themselves: the rules that matched the request are the others.
const EVALUATION = (id: number) => (id >= 949000 && id < 950000) || (id >= 959000 && id < 960000) || (id >= 980000 && id < 981000) || id === 99901 || id === 99902;
const FIELD = /found within ([A-Z_]+(?::[^:\s]+)?)/;

const metaOf = (r: WafRecord) => (r.meta as { openapi?: OpenApiMeta }).openapi;

export function openapiSummary(generation: OpenApiGeneration, records: readonly WafRecord[]): OpenApiSummary {
  const mine = records.flatMap((r) => {
    const m = metaOf(r);
    return m ? [{ r, m, kind: recordKind(r) }] : [];
  });
  const ops = generation.operations;
  const okOps = ops.filter((o) => o.noBenign === undefined).length;
  const falsePositives = mine
    .filter(({ kind }) => kind === "false-positive")
    .map(({ r, m }) => ({ id: r.id, operation: m.operation, method: m.method, path: m.path, ...(m.variant && { variant: m.variant }), rules: ruleHits(r) }));
  const byRule = new Map<number, { msg?: string; requests: number; ops: Set<string>; methods: Set<string>; fields: Set<string> }>();
  for (const fp of falsePositives)
    for (const h of fp.rules) {
      const e = byRule.get(h.id) ?? { ...(h.msg && { msg: h.msg }), requests: 0, ops: new Set<string>(), methods: new Set<string>(), fields: new Set<string>() };
      e.requests++;
      e.ops.add(fp.operation);
      e.methods.add(fp.method);
      if (h.field) e.fields.add(h.field);
      byRule.set(h.id, e);
    }
  const fpOps = new Set(mine.filter(({ kind }) => kind === "false-positive").map(({ m }) => `${m.spec}\0${m.operation}`));
  const where = { blocked: 0, judged: 0 };
  for (const { m, kind } of mine) {
    if (fpOps.has(`${m.spec}\0${m.operation}`) || !(kind === "blocked" || kind === "bypass" || kind === "accepted-gap")) continue;
    where.judged++;
    if (kind === "blocked") where.blocked++;
  }
  const byLocation: OpenApiSummary["bypassesByLocation"] = {};
  for (const { r, m, kind } of mine) {
    if (r.meta.expect !== "block" || !m.location) continue;
    const e = (byLocation[m.location] ??= { bypassed: 0, attacks: 0 });
    e.attacks++;
    if (kind === "bypass") e.bypassed++;
  }
  const bypasses = new Map<string, OpenApiSummary["bypassesByParameter"][number]>();
  for (const { r, m, kind } of mine) {
    if (kind !== "bypass" || !m.parameter) continue;
    const key = `${m.spec}\0${m.operation}\0${m.parameter}`;
    const entry = bypasses.get(key) ?? { operation: m.operation, method: m.method, path: m.path, parameter: m.parameter, classes: {}, ids: [] };
    entry.classes[r.meta.class] = (entry.classes[r.meta.class] ?? 0) + 1;
    entry.ids.push(r.id);
    bypasses.set(key, entry);
  }
  const perOp = new Map<string, OpenApiSummary["byOperation"][number]>();
  for (const { r, m, kind } of mine) {
    const key = `${m.spec}\0${m.operation}`;
    const e = perOp.get(key) ?? { operation: m.operation, method: m.method, path: m.path, benign: 0, falsePositives: 0, attacks: 0, blocked: 0, bypassed: 0, bypassedParameters: [] };
    if (r.meta.expect === "allow") {
      e.benign++;
      if (kind === "false-positive") e.falsePositives++;
    } else {
      e.attacks++;
      if (r.verdict === "blocked") e.blocked++;
      if (kind === "bypass") {
        e.bypassed++;
        if (m.parameter && !e.bypassedParameters.includes(m.parameter)) e.bypassedParameters.push(m.parameter);
      }
    }
    perOp.set(key, e);
  }
  return {
    specs: generation.specs,
    settings: generation.settings,
    operations: ops.length,
    operationsWithValidBenign: okOps,
    benignValidShare: ops.length > 0 ? Math.round((okOps / ops.length) * 10000) / 10000 : null,
    requests: { benign: mine.filter(({ r }) => r.meta.expect === "allow").length, attacks: mine.filter(({ r }) => r.meta.expect === "block").length },
    noBenign: ops.filter((o) => o.noBenign !== undefined).map((o) => ({ operation: o.operation, method: o.method, path: o.path, reason: o.noBenign! })),
    falsePositives,
    falsePositiveOperations: new Set(falsePositives.map((f) => f.operation)).size,
    falsePositivesByRule: [...byRule]
      .map(([id, { ops, methods, fields, ...v }]) => ({ id, ...v, operations: ops.size, methods: [...methods].sort(), fields: [...fields].slice(0, 5) }))
      .sort((a, b) => b.requests - a.requests || a.id - b.id),
    bypassesByParameter: [...bypasses.values()],
    detectionWhereValidPasses: where,
    bypassesByLocation: byLocation,
    byOperation: [...perOp.values()].filter((e) => e.falsePositives + e.bypassed > 0).sort((a, b) => b.falsePositives - a.falsePositives || b.bypassed - a.bypassed || a.operation.localeCompare(b.operation)),
  };
}

/** The rules that scored a request, each with the field it matched (from Coraza's `found within VAR:name`). */
function ruleHits(r: WafRecord): RuleHit[] {
  const seen = new Set<number>();
  const out: RuleHit[] = [];
  for (const rule of r.waf.rules) {
    if (EVALUATION(rule.id) || seen.has(rule.id)) continue;
    seen.add(rule.id);
    const field = FIELD.exec(rule.data ?? "")?.[1];
    out.push({ id: rule.id, ...(rule.msg && { msg: rule.msg }), ...(field && { field }) });
  }
  return out;
}

/** One line for the first screen's facts. */
export function openapiFact(s: OpenApiSummary): [string, string] {
  const rules = s.falsePositivesByRule.slice(0, 4).map((r) => `${r.id} ×${r.requests}`).join(", ");
  return [
    "OpenAPI",
    `${s.operations} operations (${s.operationsWithValidBenign} with a valid benign request), ${s.requests.benign} benign and ${s.requests.attacks} attack requests; ` +
      `false positives in ${s.falsePositiveOperations} operations (${s.falsePositives.length} requests${rules ? `; rules ${rules}` : ""}); ` +
      `bypasses in ${s.bypassesByParameter.length} parameters of ${new Set(s.bypassesByParameter.map((b) => b.operation)).size} operations; ` +
      `on operations whose valid requests pass, ${s.detectionWhereValidPasses.blocked}/${s.detectionWhereValidPasses.judged} attacks blocked`,
  ];
}

// The first screen lists the worst operations; summary.json has every one.
const TABLE_ROWS = 40;

const fpRules = (s: OpenApiSummary, operation: string) =>
  [...new Set(s.falsePositives.filter((f) => f.operation === operation).flatMap((f) => f.rules.map((h) => `${h.id}${h.field ? ` (${h.field})` : ""}`)))].slice(0, 6).join(", ");
const bypassText = (s: OpenApiSummary, operation: string) =>
  s.bypassesByParameter.filter((b) => b.operation === operation).slice(0, 6).map((b) => `${b.parameter}: ${Object.keys(b.classes).join(", ")}`).join("; ");

export function openapiMarkdown(s: OpenApiSummary): string[] {
  const [, fact] = openapiFact(s);
  const rows = s.byOperation.slice(0, TABLE_ROWS);
  const cell = (t: string) => t.replace(/\r?\n/g, " ").replaceAll("|", "\\|");
  return [
    `OpenAPI (${s.specs.map((x) => `${x.title} ${x.version}`).join(", ")}): ${fact}`,
    "",
    ...(s.falsePositivesByRule.length
      ? ["| rule blocking valid requests | requests | operations | methods | fields |", "|---|---:|---:|---|---|",
          ...s.falsePositivesByRule.map((r) => `| ${r.id} ${cell(r.msg ?? "")} | ${r.requests} | ${r.operations} | ${r.methods.join(", ")} | ${cell(r.fields.join(", "))} |`), ""]
      : []),
    `Attacks through, by parameter location: ${locations(s)}`,
    "",
    ...(rows.length
      ? [
          "| operation | benign blocked | rules (field) | attacks bypassed | parameters: classes through |",
          "|---|---:|---|---:|---|",
          ...rows.map((o) => `| ${cell(`${o.method} ${o.path}`)} | ${o.falsePositives}/${o.benign} | ${cell(fpRules(s, o.operation))} | ${o.bypassed}/${o.attacks} | ${cell(bypassText(s, o.operation))} |`),
          ...(s.byOperation.length > rows.length ? ["", `… ${s.byOperation.length - rows.length} more operations with findings in summary.json openapi.byOperation`] : []),
        ]
      : ["No OpenAPI operation had a false positive or a bypass."]),
    ...(s.noBenign.length ? ["", `No valid benign request for ${s.noBenign.length} operations: ${s.noBenign.slice(0, 10).map((n) => `${n.operation} (${cell(n.reason)})`).join("; ")}`] : []),
    "",
  ];
}

const locations = (s: OpenApiSummary) =>
  Object.entries(s.bypassesByLocation).map(([loc, v]) => `${loc} ${v.bypassed}/${v.attacks}`).join(", ") || "no attack";

export function openapiHtml(s: OpenApiSummary): string {
  const [, fact] = openapiFact(s);
  const rows = s.byOperation.slice(0, TABLE_ROWS);
  const rules = s.falsePositivesByRule.length
    ? `<table><tr><th>rule blocking valid requests</th><th>requests</th><th>operations</th><th>methods</th><th>fields</th></tr>${s.falsePositivesByRule
        .map((r) => `<tr><td>${r.id} ${esc(r.msg ?? "")}</td><td>${r.requests}</td><td>${r.operations}</td><td>${esc(r.methods.join(", "))}</td><td>${esc(r.fields.join(", "))}</td></tr>`)
        .join("")}</table>`
    : "";
  return `<h2 id="openapi">OpenAPI: ${esc(s.specs.map((x) => `${x.title} ${x.version}`).join(", "))}</h2><p>${esc(fact)}</p>${rules}<p>Attacks through, by parameter location: ${esc(locations(s))}</p>${
    rows.length
      ? `<table><tr><th>operation</th><th>benign blocked</th><th>rules (field)</th><th>attacks bypassed</th><th>parameters: classes through</th></tr>${rows
          .map((o) => `<tr><td><code>${esc(`${o.method} ${o.path}`)}</code></td><td>${o.falsePositives}/${o.benign}</td><td>${esc(fpRules(s, o.operation))}</td><td>${o.bypassed}/${o.attacks}</td><td>${esc(bypassText(s, o.operation))}</td></tr>`)
          .join("")}</table>${s.byOperation.length > rows.length ? `<p>… ${s.byOperation.length - rows.length} more in summary.json openapi.byOperation</p>` : ""}`
      : "<p>No OpenAPI operation had a false positive or a bypass.</p>"
  }${s.noBenign.length ? `<p>No valid benign request for ${s.noBenign.length} operations: ${esc(s.noBenign.slice(0, 20).map((n) => `${n.operation} (${n.reason})`).join("; "))}</p>` : ""}`;
}
