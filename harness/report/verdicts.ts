import type { Verdict } from "../verdict/index.ts";

/** reports/verdicts.json: every request's verdict in one run, by request id (the drift baseline format). */
export interface VerdictsFile {
  schemaVersion: 1;
  generatedAt: string;
  target: { name: string; url: string };
  manifest: string;
  pluginConfigSha256: string;
  /** The local stack's facts (local runs only). */
  stack: { envoyVersion: string; wasmSha256: string; wasmSource: string } | null;
  /** judgement, status and rules were added with the verdict engine (absent in older files). */
  /** reproducer: how to send the request again (curl or printf | nc; configured secrets redacted). */
  /** protocol: the HTTP version it went over (WAF_HTTP). */
  /** expect: what the corpus expects of the WAF (block: an attack; allow: benign), absent in older files. */
  requests: Record<string, { verdict: Verdict; test: string; expect?: "block" | "allow"; judgement?: string; kind?: string; informational?: boolean; status?: number; rules?: number[]; protocol?: string; reproducer?: string }>;
}

/** A run's verdicts as drift compares them: its target and its requests' verdicts. */
export type RunVerdicts = Pick<VerdictsFile, "requests" | "target">;

export interface DriftCase {
  id: string;
  test: string;
  local: Verdict;
  remote: Verdict;
}

/** summary.json `drift`: a remote run against a local run of the same manifest. */
export interface Drift {
  /** The remote target compared (a summary.json reused across runs keeps a stale section: gates check this). */
  target: string;
  baseline: { source: string; target: string; pluginConfigSha256: string; envoyVersion?: string; wasmSha256?: string };
  /** Requests present in both runs. */
  compared: number;
  /** Requests whose verdicts differ (infrastructure errors excluded): must be empty. */
  cases: DriftCase[];
  /** Requests where either side hit an infrastructure error: no verdict to compare. */
  infra: DriftCase[];
  onlyLocal: string[];
  onlyRemote: string[];
}

export function computeDrift(local: VerdictsFile, remote: RunVerdicts, source: string): Drift {
  const cases: DriftCase[] = [];
  const infra: DriftCase[] = [];
  let compared = 0;
  for (const [id, r] of Object.entries(remote.requests).sort(([a], [b]) => a.localeCompare(b))) {
    const l = local.requests[id];
    if (!l) continue;
    compared++;
    const c = { id, test: r.test, local: l.verdict, remote: r.verdict };
    if (l.verdict === "infra" || r.verdict === "infra") infra.push(c);
    else if (l.verdict !== r.verdict) cases.push(c);
  }
  return {
    target: remote.target.name,
    baseline: {
      source,
      target: local.target.name,
      pluginConfigSha256: local.pluginConfigSha256,
      envoyVersion: local.stack?.envoyVersion,
      wasmSha256: local.stack?.wasmSha256,
    },
    compared,
    cases,
    infra,
    onlyLocal: Object.keys(local.requests).filter((id) => !(id in remote.requests)).sort(),
    onlyRemote: Object.keys(remote.requests).filter((id) => !(id in local.requests)).sort(),
  };
}

/** One line per differing case, for logs and the report. */
export function describeDrift(drift: Drift): string[] {
  if (drift.cases.length === 0) return [`no drift: ${drift.compared} request(s) got the same verdict locally and remotely`];
  return [
    `${drift.cases.length} of ${drift.compared} request(s) got a different verdict than the local run:`,
    ...drift.cases.map((c) => `  ${c.id}: local ${c.local}, remote ${c.remote} (${c.test})`),
  ];
}
