/** Helpers for the k6 scripts (k6 runtime: no Node APIs). */
import { isLoopbackUrl } from "../../harness/latency/k6-options.ts";

/**
 * Load goes to this machine, or to hosts the user names explicitly (K6_ALLOW_HOSTS, comma-separated: e.g. a
 * staging gateway they own). Anything else is refused before a request leaves.
 */
export function allowedTarget(url: string, allowHosts: string | undefined): string {
  if (isLoopbackUrl(url)) return url;
  const host = /^https?:\/\/([^/:]+)/.exec(url)?.[1];
  const allowed = (allowHosts ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  if (host !== undefined && allowed.includes(host)) return url;
  throw new Error(`refusing to send load to ${url}: not loopback and ${host ?? "its host"} is not in K6_ALLOW_HOSTS`);
}

/** The part of k6's end-of-test data that the summary uses. */
export interface SummaryData {
  metrics: Record<
    string,
    {
      type: string;
      values: Record<string, number>;
      thresholds?: Record<string, { ok: boolean }>;
    }
  >;
  state?: { testRunDurationMs?: number };
}

/**
 * handleSummary's return value: the full k6 data as JSON in `dir`, and a short threshold verdict
 * on stdout (returning a summary replaces k6's own end-of-test text).
 */
export function summaryFiles(data: SummaryData, dir: string, file: string): Record<string, string> {
  const lines: string[] = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name]!;
    for (const [expr, result] of Object.entries(metric.thresholds ?? {}))
      lines.push(`${result.ok ? "ok    " : "FAILED"} ${name} ${expr}`);
    if (metric.type === "trend" && name.startsWith("http_req_duration")) {
      const v = metric.values;
      lines.push(`       ${name}: med ${fmt(v.med)} p95 ${fmt(v["p(95)"])} p99 ${fmt(v["p(99)"])} max ${fmt(v.max)} ms`);
    }
  }
  const path = `${dir.replace(/\/+$/, "")}/${file}`;
  return { [path]: JSON.stringify(data, null, 2), stdout: `${lines.join("\n")}\nwrote ${path}\n` };
}

function fmt(x: number | undefined): string {
  return x === undefined ? "-" : x.toFixed(3);
}
