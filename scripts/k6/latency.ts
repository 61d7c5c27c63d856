/**
 * k6 version of the latency benchmark: the same scenarios, thresholds and request shapes as the
 * Node engine (harness/latency/scenarios.json, built by harness/latency/shape-request.ts; scenario
 * selection and the open model by harness/latency/k6-options.ts).
 *
 *   WAF_URL=http://127.0.0.1:10000 BASELINE_URL=http://127.0.0.1:10001 UPSTREAM_URL=http://127.0.0.1:8080 \
 *     k6 run scripts/k6/latency.ts
 *
 * Env: <TARGET>_URL per scenario target (WAF_URL, BASELINE_URL, UPSTREAM_URL, WAF_PARANOIA_URL; a scenario
 * whose target has none is left out), HOST (Host header; overrides the local per-scenario hosts),
 * K6_ALLOW_HOSTS (non-loopback hosts you allow, e.g. your staging gateway), REPORT_DIR (default reports),
 * K6_MODEL (closed, the default: each scenario's executor as written; open: constant-arrival-rate with
 * the definition's `openModel`).
 * A remote gateway (HOST set, or a URL that is not loopback) serves one directive set: only envoy (with
 * BASELINE_URL), waf_crs and waf_blocked run there, as with `WAF_TARGET=<gateway> npm run latency`.
 * k6 is not installed by this project (AGPL); this file is only type-checked here.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import type { Options, Scenario } from "k6/options";
import { isRemoteRun, openScenario, selectScenarios, type DefinedScenario, type OpenModelDef } from "../../harness/latency/k6-options.ts";
import { buildRequest, type BuiltRequest, type ShapeDef } from "../../harness/latency/shape-request.ts";
import { allowedTarget, summaryFiles, type SummaryData } from "./lib.ts";

interface Definition {
  scenarios: Record<string, DefinedScenario>;
  openModel?: OpenModelDef;
  thresholds: Record<string, string[]>;
  host: string;
  headers: Record<string, string>;
  shapes: Array<ShapeDef & { maxRate?: number }>;
}

// k6 has console; @types/k6 leaves it to the DOM lib, which a k6 script does not have.
declare const console: { warn(...args: unknown[]): void };

// open() works only in the init context; the path is relative to this script.
// WAF_SCENARIOS: where the definition is when the script runs bundled (the k6 Operator mounts both files in one folder).
const def = JSON.parse(open(__ENV.WAF_SCENARIOS || "../../harness/latency/scenarios.json")) as Definition;
const host = __ENV.HOST || def.host;

const urlOf = (target: string): string | undefined => __ENV[`${target.toUpperCase()}_URL`] || undefined;
const remote = isRemoteRun(__ENV.HOST, Object.values(def.scenarios).map((s) => urlOf(s.tags.target)));
const { selected, skipped } = selectScenarios(def.scenarios, urlOf, remote);
for (const s of skipped) console.warn(`skipping scenario ${s.scenario}: ${s.reason}`);
if (selected.length === 0) throw new Error("no target URL: set WAF_URL and BASELINE_URL (and UPSTREAM_URL)");

const model = __ENV.K6_MODEL || "closed";
if (model !== "open" && model !== "closed") throw new Error(`K6_MODEL is open or closed (got ${model})`);
const openModel = def.openModel;
if (model === "open" && !openModel) throw new Error("K6_MODEL=open needs an openModel block in scenarios.json");

/** The scenario as k6 runs it: as written (closed), or constant-arrival-rate with the shared openModel. */
function k6Scenario(name: string): Scenario {
  const s = def.scenarios[name]!;
  const chosen = model === "open" && openModel ? openScenario(s, openModel, def.shapes.filter((shape) => shape.group === s.tags.shapeGroup)) : s;
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(chosen.tags)) if (v !== undefined) tags[k] = v;
  // The engine's zod schema holds scenarios.json to k6's keys per executor (harness/latency/scenarios.ts).
  return { ...chosen, tags } as unknown as Scenario;
}

interface Prepared extends BuiltRequest {
  name: string;
  url: string;
  expect: number;
}

// Requests are built once per VU in the init context, not per iteration.
const requests: Record<string, Prepared[]> = {};
for (const name of selected) {
  const { target, shapeGroup, host: scenarioHost } = def.scenarios[name]!.tags;
  const base = allowedTarget(urlOf(target)!, __ENV.K6_ALLOW_HOSTS).replace(/\/+$/, "");
  requests[name] = def.shapes
    .filter((shape) => shape.group === shapeGroup)
    .map((shape) => {
      // HOST (a real gateway's virtual host) wins over the local per-scenario hosts.
      const built = buildRequest(shape, def.headers, __ENV.HOST ? host : (scenarioHost ?? host));
      return { ...built, name: shape.name, url: base + built.path, expect: shape.expectStatus };
    });
}

// Thresholds that name a scenario left out would only report "no data".
const thresholds = Object.fromEntries(
  Object.entries(def.thresholds).filter(([metric]) => {
    const m = /scenario:([a-z0-9_]+)/.exec(metric);
    return !m || selected.includes(m[1]!);
  }),
);

export const options: Options = {
  scenarios: Object.fromEntries(selected.map((name) => [name, k6Scenario(name)])),
  thresholds,
  discardResponseBodies: true,
  summaryTrendStats: ["med", "p(95)", "p(99)", "max", "avg", "count"],
};

/** Each iteration sends the next shape of its scenario in turn, so shapes interleave. */
export default function (): void {
  const list = requests[exec.scenario.name]!;
  const req = list[exec.scenario.iterationInTest % list.length]!;
  const res = http.request(req.method, req.url, req.body ?? null, {
    headers: req.headers,
    // `name` groups every URL of a shape under one tag value; `shape` is what thresholds filter on.
    tags: { shape: req.name, name: req.name },
    // A 403 is the expected answer for the blocked shape: only a wrong status counts as failed.
    responseCallback: http.expectedStatuses(req.expect),
    redirects: 0,
    timeout: "5s",
  });
  check(res, { [`${req.name} answers ${req.expect}`]: (r) => r.status === req.expect }, { shape: req.name });
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles(data, __ENV.REPORT_DIR || "reports", "k6-latency-summary.json");
}
