/**
 * k6 version of the latency benchmark: the same scenarios, thresholds and request shapes as the
 * Node engine (harness/latency/scenarios.json, built by harness/latency/shape-request.ts).
 *
 *   WAF_URL=http://127.0.0.1:10000 BASELINE_URL=http://127.0.0.1:10001 UPSTREAM_URL=http://127.0.0.1:8080 \
 *     k6 run scripts/k6/latency.ts
 *
 * Env: <TARGET>_URL per scenario target (WAF_URL, BASELINE_URL, UPSTREAM_URL; a scenario whose
 * target has none is left out), HOST (Host header; overrides the local per-scenario hosts),
 * K6_ALLOW_HOSTS (non-loopback hosts you allow, e.g. your staging gateway), REPORT_DIR (default reports).
 * k6 is not installed by this project (AGPL); this file is only type-checked here.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import type { Options, Scenario } from "k6/options";
import { buildRequest, type BuiltRequest, type ShapeDef } from "../../harness/latency/shape-request.ts";
import { allowedTarget, summaryFiles, type SummaryData } from "./lib.ts";

interface Definition {
  scenarios: Record<string, Scenario & { tags: { target: string; shapeGroup: string; host?: string } }>;
  thresholds: Record<string, string[]>;
  host: string;
  headers: Record<string, string>;
  shapes: ShapeDef[];
}

// open() works only in the init context; the path is relative to this script.
const def = JSON.parse(open("../../harness/latency/scenarios.json")) as Definition;
const host = __ENV.HOST || def.host;

const urlOf = (target: string) => __ENV[`${target.toUpperCase()}_URL`];
const selected = Object.keys(def.scenarios).filter((name) => urlOf(def.scenarios[name]!.tags.target));
if (selected.length === 0) throw new Error("no target URL: set WAF_URL and BASELINE_URL (and UPSTREAM_URL)");

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
  scenarios: Object.fromEntries(selected.map((name) => [name, def.scenarios[name]!])),
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
