import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PLOT_PREFIX } from "../latency/plots.ts";
import { corazaVersionOf } from "../manifest/config-facts.ts";
import type { RunContext } from "../run/run-context.ts";
import { writeAllureResult } from "./allure-result.ts";
import type { Detection } from "./detection.ts";
import { categoriesSpec, overview, overviewHtml, overviewMarkdown, type Overview, type OverviewInput } from "./overview.ts";
import { renderSvg } from "./render-svg.ts";
import { readSummary, summaryPathIn } from "./summary-store.ts";
import { environmentProperties } from "./summary.ts";
import { writeFileAtomic } from "./write-atomic.ts";

const GO_MOD = resolve(import.meta.dirname, "../../envoy-local/coraza-wasm/go.mod");

/**
 * The first screen: reports/summary.md (CI step summaries, pull-request comments), reports/index.html (headline,
 * configuration, blocked % per category and class, latency headline) and the Allure overview's environment panel
 * and a result that carries the same page. Written after the suites and the latency probe, from summary.json.
 */
export async function writeOverview(reports: string, run: RunContext, extra: Pick<OverviewInput, "ftw"> = {}): Promise<Overview | undefined> {
  const summary = await readSummary(summaryPathIn(reports));
  if (!summary?.suites) return undefined;
  const stack = run.stack;
  const latency = pickLatency(summary, stack?.wasmSha256);
  const plots = await latencyPlots(reports, latency?.source);
  const protocols = protocolsOf(summary);
  const input: OverviewInput = {
    target: { name: run.target.name, url: run.target.url },
    runId: run.runId,
    detection: summary.detection as OverviewInput["detection"] as (Detection & { staleExceptions?: Array<{ id: string }> }) | undefined,
    suites: summary.suites as OverviewInput["suites"],
    stack: stack ? { envoyVersion: stack.envoyVersion, wasmSource: stack.wasmSource, wasmSha256: stack.wasmSha256, pluginConfigSha256: stack.pluginConfigSha256, manifest: stack.manifest } : null,
    manifest: run.manifest,
    config: run.config,
    ...(run.http && { http: run.http }),
    ...(summary.grpc !== undefined && { grpc: summary.grpc as OverviewInput["grpc"] }),
    ...(protocols && { protocols }),
    ...((summary.run as { crsVersion?: string } | undefined)?.crsVersion && { crsVersion: (summary.run as { crsVersion: string }).crsVersion }),
    ...(stack?.wasmSource.startsWith("built from source") && { corazaVersion: corazaVersionOf(await readFile(GO_MOD, "utf8").catch(() => "")) }),
    ...(latency && { overhead: latency.overhead }),
    ...extra,
  };
  const o = overview(input);
  const svg = o.categories.length > 0 ? await renderSvg(categoriesSpec(o)) : "";
  await writeFileAtomic(join(reports, "summary.md"), overviewMarkdown(o));
  await writeFileAtomic(join(reports, "index.html"), overviewHtml(o, svg, "allure-report/index.html", plots));
  const results = join(reports, "allure-results");
  // The environment panel of Allure's overview: the verdict and the tested configuration first.
  await writeFileAtomic(join(results, "environment.properties"), environmentProperties(Object.fromEntries(o.facts)));
  await writeAllureResult(results, {
    id: "wafcheck:overview",
    name: `Verdict: ${o.headline}`,
    status: o.verdict === "clean" ? "passed" : o.verdict === "findings" ? "failed" : "broken",
    message: o.headline,
    descriptionHtml: overviewHtml(o, svg, undefined, plots).replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, ""),
    labels: [{ name: "epic", value: "Verdict" }, { name: "suite", value: "verdict" }, { name: "severity", value: "blocker" }],
    attachments: [
      { name: "summary.md", content: overviewMarkdown(o), type: "text/markdown" },
      ...(svg ? [{ name: "blocked-per-category.svg", content: svg, type: "image/svg+xml" }] : []),
    ],
  });
  return o;
}

/** WAF_HTTP=both: summary.json `http` (harness/run/protocol-passes.ts) as the first screen shows it. */
function protocolsOf(summary: Record<string, unknown>): OverviewInput["protocols"] {
  const http = summary.http as (NonNullable<OverviewInput["protocols"]>["comparison"] & { passes?: { "HTTP/2"?: { detection?: NonNullable<OverviewInput["protocols"]>["http2"] } } }) | undefined;
  const http2 = http?.passes?.["HTTP/2"]?.detection;
  return http && http2 ? { comparison: http, http2 } : undefined;
}

type Overhead = NonNullable<OverviewInput["overhead"]>;

/** The latency section measured with this run's plug-in: a full benchmark of it, else this run's probe. */
function pickLatency(summary: Record<string, unknown>, wasmSha256: string | undefined): { overhead: Overhead; source: "benchmark" | "probe" } | undefined {
  const bench = summary.latency as { overhead?: Overhead; stack?: { wasmSha256?: string }; run?: { kind?: string } } | undefined;
  const probe = summary.latencyProbe as { overhead?: Overhead } | undefined;
  if (bench?.overhead && (wasmSha256 === undefined || bench.stack?.wasmSha256 === wasmSha256))
    return { overhead: bench.overhead, source: bench.run?.kind === "probe" ? "probe" : "benchmark" };
  return probe?.overhead ? { overhead: probe.overhead, source: "probe" } : undefined;
}

/** The latency plots of that section, inline on the first screen. */
async function latencyPlots(reports: string, source: "benchmark" | "probe" | undefined): Promise<string[]> {
  if (!source) return [];
  const prefix = PLOT_PREFIX[source];
  const read = (name: string) => readFile(join(reports, `${prefix}-${name}.svg`), "utf8").catch(() => undefined);
  return (await Promise.all([read("overhead"), read("distribution")])).filter((x): x is string => x !== undefined);
}
