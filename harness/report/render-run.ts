// Every output of a run, rendered from its run model into one folder (publish-run.ts swaps it in whole). Pure
// functions of the model, plus the writes; none reads an earlier output.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { WafRecord } from "../engine/index.ts";
import { replayFiles } from "../http/index.ts";
import { corazaVersionOf } from "../manifest/index.ts";
import { allureCategories, KINDS } from "../verdict/index.ts";
import { AllureResultsWriter, type ExtraResult } from "./allure-result.ts";
import { allureResultOf } from "./allure-records.ts";
import { breakdownOf, type Breakdown } from "./breakdown.ts";
import { countRecords, COUNT_DEFINITIONS, recordKind, type RunCounts } from "./counts.ts";
import type { Detection } from "./detection.ts";
import { esc, junitXml } from "./junit.ts";
import { heatmapSpec } from "./heatmap.ts";
import { categoriesSpec, overview, overviewHtml, overviewMarkdown, stackCommand, type CoveragePlots, type Overview, type OverviewInput } from "./overview.ts";
import { detectionOf, suiteCounts, verdictsFileOf, type StaleException } from "./record-views.ts";
import { ruleCoverage, type RuleCoverage } from "./rule-coverage.ts";
import { ruleCoverageSpec } from "./rule-coverage-plot.ts";
import { renderSvg } from "./render-svg.ts";
import { openapiSummary } from "./openapi-findings.ts";
import type { RecordSet, RunModel } from "./run-model.ts";

const GO_MOD = resolve(import.meta.dirname, "../../envoy-local/coraza-wasm/go.mod");
/** The heat map (class × placement × encoding) and the rule-coverage plot, beside index.html. */
export const HEATMAP_FILE = "detection-heatmap.svg";
export const RULES_PLOT_FILE = "rule-coverage.svg";

/** The Coraza version of a local build (from the pinned go.mod), for the first screen. */
export async function corazaVersionFor(stack: RunModel["stack"]): Promise<string | undefined> {
  if (!stack?.wasmSource.startsWith("built from source")) return undefined;
  return corazaVersionOf(await readFile(GO_MOD, "utf8").catch(() => "")) || undefined;
}

/** Test hook: WAFCHECK_INJECT_RENDER_ERROR=<view> makes that view's render throw (the failed-run path is tested with it). */
function injected(view: string): void {
  if (process.env.WAFCHECK_INJECT_RENDER_ERROR === view) throw new Error(`render error injected into ${view} (WAFCHECK_INJECT_RENDER_ERROR)`);
}

/** Allure's history of earlier runs of the same configuration (publish-run.ts picks it), and this run's build number. */
export interface HistorySource {
  from: string;
  buildOrder: number;
}

/** The corpus's rates by class × placement × encoding and its CRS rule coverage (absent without corpus records). */
export interface Coverage {
  breakdown?: Breakdown;
  rules?: RuleCoverage;
}

/** Computed once per render from the records (and the model's rule catalog): summary.json and the first screen show the same. */
export function coverageOf(model: Pick<RunModel, "records" | "paranoia" | "ruleCatalog">): Coverage {
  if (!model.records.some((r) => r.suite !== "conformance")) return {};
  const catalog = model.ruleCatalog && !("unavailable" in model.ruleCatalog) ? model.ruleCatalog : undefined;
  const note = model.ruleCatalog && "unavailable" in model.ruleCatalog ? model.ruleCatalog.unavailable : undefined;
  return { breakdown: breakdownOf(model.records), rules: ruleCoverage(model.records, catalog, model.paranoia, note) };
}

export interface Rendered {
  overview: Overview;
  counts: RunCounts;
  summary: Record<string, unknown>;
}

/** Renders every view of the model into `dir` (an empty staging folder). Throws when a view cannot be rendered. */
export async function renderRun(model: RunModel, dir: string, history?: HistorySource): Promise<Rendered> {
  injected("summary.json");
  const { counts, detection, summary, coverage } = await writeRecordViews(model, dir);
  // Replays run from the reports folder: the HTTP/2 pass's files sit beside the HTTP/1.1 ones (Allure shows both).
  for (const f of replayFiles([...model.records, ...(model.http2Pass?.records ?? [])])) await put(dir, f.path, f.bytes);
  for (const f of model.files) await put(dir, f.path, f.content);
  if (model.http2Pass) await renderPassViews(model, model.http2Pass, join(dir, "http2"));

  const o = overview(overviewInput(model, counts, detection, coverage));
  injected("overview");
  const svg = o.categories.length > 0 ? await renderSvg(categoriesSpec(o)) : "";
  const plots: CoveragePlots = {
    ...(coverage.breakdown && coverage.breakdown.attacks.length + coverage.breakdown.benign.length > 0 && { heatmap: await renderSvg(heatmapSpec(coverage.breakdown)) }),
    ...(coverage.rules?.measured && coverage.rules.catalog && { rules: await renderSvg(ruleCoverageSpec(coverage.rules)) }),
  };
  if (plots.heatmap) await put(dir, HEATMAP_FILE, plots.heatmap);
  if (plots.rules) await put(dir, RULES_PLOT_FILE, plots.rules);
  const latencySvgs = model.files.filter((f) => /^latency[\w-]*-(overhead|distribution)\.svg$/.test(f.path)).map((f) => String(f.content));
  await put(dir, "summary.md", overviewMarkdown(o));
  await put(dir, "index.html", overviewHtml(o, svg, "allure-report/index.html", latencySvgs, plots));
  injected("allure");
  await renderAllure(model, o, svg, join(dir, "allure-results"), detection?.staleExceptions ?? [], history, plots);
  return { overview: o, counts, summary };
}

/**
 * The first screen of a run that failed (a crash after the suites, a render that threw): it says so, with whatever
 * was measured. Built from the records alone, with nothing that could fail the same way again (no plots).
 */
export async function renderFailedRun(model: RunModel, dir: string): Promise<Rendered> {
  const failure = model.outcome.status === "failed" ? model.outcome : { stage: "run", error: "unknown" };
  const failedCase = `<testcase name="the run" classname="wafcheck"><error type="run-failed" message="${esc(`${failure.stage}: ${failure.error}`)}"/></testcase>`;
  const { counts, detection, summary, coverage } = await writeRecordViews(model, dir, `<testsuite name="run" tests="1" failures="0" errors="1" skipped="0">${failedCase}</testsuite>`);
  const o = overview(overviewInput(model, counts, detection, coverage));
  await put(dir, "summary.md", overviewMarkdown(o));
  await put(dir, "index.html", overviewHtml(o, "", undefined));
  const results = new AllureResultsWriter(join(dir, "allure-results"), { environment: { Verdict: o.headline } });
  results.write({ id: "wafcheck:overview", name: `Verdict: ${o.headline}`, status: "broken", message: o.headline, trace: "kind: run-failed", labels: [{ name: "epic", value: "Verdict" }, { name: "suite", value: "verdict" }], attachments: [{ name: "summary.md", content: overviewMarkdown(o), type: "text/markdown" }] });
  results.finish();
  await results.writeJson("executor.json", executorOf(model.target.name, model.run.id, 1));
  return { overview: o, counts, summary };
}

/** reports/summary.json: the contract keys (extended, never renamed) from the model and its counts. */
export function summaryJson(model: RunModel, counts: RunCounts, detection: ReturnType<typeof detectionOf>, coverage: Coverage = {}): Record<string, unknown> {
  const stack = model.stack;
  const brokenTests = model.recordless.filter((t) => t.status === "failed");
  return {
    ...model.carried,
    schemaVersion: 1,
    generatedAt: model.run.finishedAt,
    target: model.target,
    stack: stack ? { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource, pluginConfigSha256: stack.pluginConfigSha256 } : null,
    suites: suiteCounts(model.records, model.recordless),
    run: {
      id: model.run.id,
      startedAt: model.run.startedAt,
      finishedAt: model.run.finishedAt,
      status: model.outcome.status,
      ...(model.outcome.status === "failed" && { failedAt: model.outcome.stage, error: model.outcome.error }),
      records: model.records.length,
      brokenTests,
      ...(model.selection && { selection: model.selection }),
      ...crsVersionOf(model.records),
    },
    ...(detection && {
      detection: {
        ...detection,
        judgedAttacks: counts.attacks.judged,
        reachedApp: counts.attacks.reachedApp,
        ...(counts.detectionRate && { truePositiveRateCi95: [counts.detectionRate.low, counts.detectionRate.high] }),
        ...(counts.falsePositiveRate && { falsePositiveRate: counts.falsePositiveRate.rate, falsePositiveRateCi95: [counts.falsePositiveRate.low, counts.falsePositiveRate.high] }),
        ...(model.sections.protocolDifferences && { protocolDifferences: model.sections.protocolDifferences }),
        ...(coverage.breakdown && { breakdown: coverage.breakdown }),
      },
    }),
    counts: { ...counts, definitions: COUNT_DEFINITIONS },
    ...(coverage.rules && { rules: coverage.rules }),
    ...Object.fromEntries(Object.entries(model.sections).filter(([k, v]) => k !== "protocolDifferences" && k !== "openapi" && v !== undefined)),
    ...(model.sections.openapi && { openapi: openapiSummary(model.sections.openapi, model.records) }),
  };
}

/** summary.json's soak section as the first screen shows it (a section of another shape is not shown). */
function carriedSoak(section: unknown): OverviewInput["soak"] | undefined {
  const s = section as { generatedAt?: string; pluginConfigSha256?: string; requests?: number; load?: { ratePerSec?: number }; growthMbPer100k?: number | null; growthCi95?: [number, number] | null; p99Drift?: { ratio?: number | null }; passed?: boolean } | undefined;
  if (!s || typeof s.generatedAt !== "string" || typeof s.pluginConfigSha256 !== "string" || typeof s.passed !== "boolean") return undefined;
  return {
    generatedAt: s.generatedAt,
    pluginConfigSha256: s.pluginConfigSha256,
    requests: s.requests ?? 0,
    ratePerSec: s.load?.ratePerSec ?? 0,
    growthMbPer100k: s.growthMbPer100k ?? null,
    growthCi95: s.growthCi95 ?? null,
    p99DriftRatio: s.p99Drift?.ratio ?? null,
    passed: s.passed,
  };
}

/** summary.json, verdicts.json and junit.xml (with `junitExtra` testsuites): every render writes them, from the records alone. */
async function writeRecordViews(model: RunModel, dir: string, junitExtra = ""): Promise<{ counts: RunCounts; detection: ReturnType<typeof detectionOf>; summary: Record<string, unknown>; coverage: Coverage }> {
  const counts = countRecords(model.records, model.recordless);
  const detection = detectionOf(model.records, model.paranoia);
  const coverage = coverageOf(model);
  const summary = summaryJson(model, counts, detection, coverage);
  await put(dir, "summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  await put(dir, "verdicts.json", `${JSON.stringify(verdictsOf(model), null, 2)}\n`);
  const junit = junitXml(model.records, model.recordless, stackFacts(model));
  await put(dir, "junit.xml", junitExtra ? junit.replace("</testsuites>", `${junitExtra}\n</testsuites>`) : junit);
  return { counts, detection, summary, coverage };
}

function verdictsOf(model: RunModel) {
  const stack = model.stack;
  return verdictsFileOf(model.records, {
    generatedAt: model.run.finishedAt,
    target: model.target,
    manifest: stack?.manifest ?? model.manifest.source,
    pluginConfigSha256: stack?.pluginConfigSha256 ?? model.manifest.pluginConfigSha256,
    stack: stack ? { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource } : null,
  });
}

/** WAF_HTTP=both: the HTTP/2 pass's own summary.json, verdicts.json and junit.xml in http2/. */
async function renderPassViews(model: RunModel, pass: RecordSet, dir: string): Promise<void> {
  await writeRecordViews({ ...model, ...pass, http: "2", sections: {}, carried: {}, extraResults: [], files: [] }, dir);
  for (const f of replayFiles(pass.records)) await put(dir, f.path, f.bytes);
}

export function overviewInput(model: RunModel, counts: RunCounts, detection: ReturnType<typeof detectionOf>, coverage: Coverage = {}): OverviewInput {
  const stack = model.stack;
  const section = <T>(key: string) => (model.sections as Record<string, unknown>)[key] as T | undefined;
  const ftw = section<OverviewInput["ftw"]>("ftw");
  const soak = carriedSoak(model.carried.soak);
  const grpc = section<OverviewInput["grpc"]>("grpc");
  const http = section<NonNullable<OverviewInput["protocols"]>["comparison"] & { passes?: { "HTTP/2"?: { detection?: NonNullable<OverviewInput["protocols"]>["http2"] } } }>("http");
  const http2 = http?.passes?.["HTTP/2"]?.detection;
  const latency = (section<{ overhead?: OverviewInput["overhead"] }>("latency") ?? section<{ overhead?: OverviewInput["overhead"] }>("latencyProbe") ?? (model.carried.latency as { overhead?: OverviewInput["overhead"] } | undefined))?.overhead;
  const all = [...model.records, ...(model.http2Pass?.records ?? [])];
  return {
    target: model.target,
    runId: model.run.id,
    ...(detection && { detection: detection as Detection & { staleExceptions?: Array<{ id: string }> } }),
    stack: stack ? { envoyVersion: stack.envoyVersion, wasmSource: stack.wasmSource, wasmSha256: stack.wasmSha256, pluginConfigSha256: stack.pluginConfigSha256, manifest: stack.manifest } : null,
    manifest: model.manifest,
    config: model.config,
    counts,
    outcome: model.outcome,
    ...(model.sections.openapi && { openapi: openapiSummary(model.sections.openapi, model.records) }),
    ...(soak && { soak }),
    reachedApp: all
      .map((r) => ({ r, kind: recordKind(r) }))
      .filter(({ r, kind }) => r.suite !== "conformance" && KINDS[kind].reachedApp)
      .sort((a, b) => KINDS[a.kind].rank - KINDS[b.kind].rank || a.r.id.localeCompare(b.r.id))
      .map(({ r, kind }) => ({ id: `${r.id}${r.sent.protocol === "HTTP/2" ? " (HTTP/2)" : ""}`, kind, reason: r.acceptedGap ? `${r.message}; accepted: ${r.acceptedGap.reason}` : r.message, replay: r.sent.reproducer })),
    ...(model.http && { http: model.http }),
    ...(grpc && { grpc }),
    ...(http && http2 && { protocols: { comparison: http, http2 } }),
    ...crsVersionOf(model.records),
    ...(model.corazaVersion && { corazaVersion: model.corazaVersion }),
    ...(latency && { overhead: latency }),
    ...(ftw && { ftw }),
    ...(coverage.breakdown && { breakdown: coverage.breakdown }),
    ...(coverage.rules && { rules: coverage.rules }),
  };
}

async function renderAllure(model: RunModel, o: Overview, svg: string, dir: string, stale: readonly StaleException[], history: HistorySource | undefined, plots: CoveragePlots): Promise<void> {
  const categories = [
    ...allureCategories(),
    { name: "Stale exception (an accepted gap blocked now: remove the entry)", matchedStatuses: ["failed"], traceRegex: "(?s)kind: stale-exception\\b.*" },
    { name: "The run's verdict", matchedStatuses: ["failed", "broken", "skipped"], traceRegex: "(?s)kind: verdict-.*" },
  ];
  const writer = new AllureResultsWriter(dir, { categories, environment: Object.fromEntries(o.facts) });
  if (history) await copyHistory(history.from, join(dir, "history"));
  const sameStack = model.stack ? stackCommand(model.stack) : undefined;
  for (const r of [...model.records, ...(model.http2Pass?.records ?? [])]) writer.write(allureResultOf(r, model.target.name, sameStack));
  for (const extra of model.extraResults) writer.write(extra);
  if (stale.length > 0)
    writer.write({
      id: "wafcheck:stale-exceptions",
      name: `Stale exceptions: ${stale.length} accepted gap(s) now blocked`,
      status: "failed",
      trace: "kind: stale-exception",
      message: stale.map((e) => `${e.id} (${e.source}): all ${e.blocked} request(s) blocked; remove the entry`).join("\n"),
      labels: [{ name: "epic", value: "Accepted gaps" }, { name: "suite", value: "exceptions" }],
      attachments: [{ name: "stale-exceptions.json", content: `${JSON.stringify(stale, null, 2)}\n`, type: "application/json" }],
    });
  for (const t of [...model.recordless, ...(model.http2Pass?.recordless ?? [])])
    writer.write({ id: `wafcheck:${t.suite}:${t.title}`, name: t.title, status: t.status === "skipped" ? "skipped" : "broken", message: t.reason, trace: t.status === "skipped" ? "kind: informational" : "kind: infra", labels: [{ name: "suite", value: t.suite }], attachments: [] });
  writer.write(verdictResult(o, svg, plots));
  writer.finish();
  await writer.writeJson("executor.json", executorOf(model.target.name, model.run.id, history?.buildOrder ?? 1));
}

/** The run's own verdict as one result: failed when it has findings, broken only when the run itself failed. */
function verdictResult(o: Overview, svg: string, plots: CoveragePlots): ExtraResult {
  const status: ExtraResult["status"] = o.verdict === "clean" ? "passed" : o.verdict === "run-failed" ? "broken" : o.verdict === "no-attacks" ? "skipped" : "failed";
  return {
    id: "wafcheck:overview",
    name: `Verdict: ${o.headline}`,
    status,
    message: o.headline,
    trace: `kind: verdict-${o.verdict}`,
    descriptionHtml: overviewHtml(o, svg, undefined, [], plots).replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, ""),
    labels: [{ name: "epic", value: "Verdict" }, { name: "suite", value: "verdict" }, { name: "severity", value: "blocker" }],
    attachments: [
      { name: "summary.md", content: overviewMarkdown(o), type: "text/markdown" },
      ...(svg ? [{ name: "blocked-per-category.svg", content: svg, type: "image/svg+xml" }] : []),
      ...(plots.heatmap ? [{ name: HEATMAP_FILE, content: plots.heatmap, type: "image/svg+xml" }] : []),
      ...(plots.rules ? [{ name: RULES_PLOT_FILE, content: plots.rules, type: "image/svg+xml" }] : []),
    ],
  };
}

/** The stack's facts on every JUnit testsuite and in Allure's environment. */
function stackFacts(model: RunModel): Record<string, string> {
  const stack = model.stack;
  const facts: Record<string, string> = { target: model.target.name, targetUrl: model.target.url, manifest: stack?.manifest ?? model.manifest.source, runId: model.run.id, runStatus: model.outcome.status };
  if (stack) Object.assign(facts, { envoyVersion: stack.envoyVersion, envoyImage: stack.envoyImage, httpbinImage: stack.httpbinImage, wasmSource: stack.wasmSource, wasmSha256: stack.wasmSha256, pluginConfigSha256: stack.pluginConfigSha256 });
  return facts;
}

/** The CRS version the running WAF reported on its rule lines (`[ver "OWASP_CRS/4.14.0"]`), the most frequent one. */
function crsVersionOf(records: readonly WafRecord[]): { crsVersion?: string } {
  const seen = new Map<string, number>();
  for (const r of records) for (const rule of r.waf.rules) if (rule.ver?.startsWith("OWASP_CRS/")) seen.set(rule.ver, (seen.get(rule.ver) ?? 0) + 1);
  const top = [...seen.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return top ? { crsVersion: top.slice("OWASP_CRS/".length) } : {};
}

/** Allure's executor: who ran it (CI job and commit, or this machine), numbered so the trend charts line up. */
export function executorOf(targetName: string, runId: string, buildOrder: number, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const gha = env.GITHUB_ACTIONS === "true";
  const commit = env.GITHUB_SHA?.slice(0, 8);
  return {
    name: gha ? "GitHub Actions" : env.CI ? "CI" : "local",
    type: gha ? "github" : "wafcheck",
    buildOrder: gha && env.GITHUB_RUN_NUMBER ? Number(env.GITHUB_RUN_NUMBER) : buildOrder,
    buildName: `wafcheck ${targetName}${commit ? ` @ ${commit}` : ""} (run ${runId})`,
    ...(gha && env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID && { buildUrl: `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` }),
    reportName: `wafcheck: ${targetName}`,
  };
}

async function copyHistory(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true }).catch(() => undefined); // no history yet: a first run
}

async function put(dir: string, path: string, content: string | Buffer): Promise<void> {
  const file = join(dir, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}

