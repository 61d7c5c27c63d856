import { latencyGateLines, type LatencyGateOptions, type LatencySection } from "../latency/index.ts";
/** Regression gates a CI job applies to reports/summary.json (and the previous run's, when kept). */
export interface GateOptions {
  /** Infrastructure errors tolerated per suite (default 0). */
  maxInfra?: number;
  /** Do not fail on drift (verdicts that differ from the local run). */
  allowDrift?: boolean;
  /** The previous run's summary.json for the same target: passed counts must not drop. */
  previous?: Record<string, unknown>;
  /** WAF_MAX_P95_OVERHEAD_MS / WAF_MAX_P50_RATIO, applied to the summary's latency section when present. */
  latency?: LatencyGateOptions;
}

export interface GateResult {
  passed: boolean;
  lines: string[];
}

type Counts = { passed: number; failed: number; skipped: number; infra: number };

export function checkGates(summary: Record<string, unknown> | undefined, options: GateOptions = {}): GateResult {
  const lines: string[] = [];
  const fail = (line: string) => lines.push(`FAIL ${line}`);
  const ok = (line: string) => lines.push(`ok   ${line}`);
  if (!summary || summary.schemaVersion !== 1) {
    fail("no summary.json with schemaVersion 1: the run did not get to report (bad input, canary failure or crash)");
    return { passed: false, lines };
  }
  const target = (summary.target as { name?: string } | undefined)?.name ?? "?";
  const suites = (summary.suites ?? {}) as Record<string, Counts>;
  const names = Object.keys(suites).sort();
  const ran = names.reduce((n, s) => n + suites[s]!.passed + suites[s]!.failed + suites[s]!.infra, 0);
  if (ran === 0) fail(`target ${target}: no test ran`);
  const maxInfra = options.maxInfra ?? 0;
  for (const name of names) {
    const c = suites[name]!;
    if (c.failed > 0) fail(`${name}: ${c.failed} failed`);
    else ok(`${name}: ${c.passed} passed, 0 failed`);
    if (c.infra > maxInfra) fail(`${name}: ${c.infra} infrastructure error(s) (at most ${maxInfra} allowed)`);
  }
  // drift and canary belong to the run that wrote them: a later run of another target leaves them stale.
  const current = (section: unknown) => (section && (section as { target?: string }).target === target ? section : undefined);
  const canary = current(summary.canary) as { passed?: boolean } | undefined;
  if (canary && canary.passed === false) fail("canary failed");
  const drift = current(summary.drift) as { cases?: Array<{ id: string; local: string; remote: string }>; compared?: number } | undefined;
  if (drift) {
    const cases = drift.cases ?? [];
    if (cases.length === 0) ok(`drift: none (${drift.compared ?? 0} request(s) compared with the local run)`);
    else if (options.allowDrift) ok(`drift: ${cases.length} case(s), allowed`);
    else fail(`drift: ${cases.length} case(s) differ from the local run: ${cases.slice(0, 5).map((c) => `${c.id} (local ${c.local}, remote ${c.remote})`).join(", ")}${cases.length > 5 ? ", …" : ""}`);
  }
  const latency = summary.latency as Pick<LatencySection, "scenarios" | "overhead"> | undefined;
  if (latency && options.latency) for (const line of latencyGateLines(latency, options.latency)) (line.startsWith("FAIL") ? fail : ok)(line.slice(5));
  const previous = options.previous;
  if (previous && (previous.target as { name?: string } | undefined)?.name === target) {
    const before = (previous.suites ?? {}) as Record<string, Counts>;
    for (const [name, c] of Object.entries(before)) {
      const now = suites[name];
      if (!now) fail(`${name}: ran last time (${c.passed} passed), missing now`);
      else if (now.passed < c.passed) fail(`${name}: ${now.passed} passed, fewer than last run's ${c.passed}`);
    }
  }
  return { passed: !lines.some((l) => l.startsWith("FAIL")), lines };
}
