import type { ExtraResult } from "../report/index.ts";
import type { FtwTestResult } from "./run.ts";

type Outcome = FtwTestResult["outcome"];

/** How each outcome shows in every view (JUnit, Allure, the counts), decided once. A forced pass was never sent: not a pass. */
export const FTW_OUTCOME_VIEW: Record<Outcome, { allure: ExtraResult["status"]; junit: "passed" | "failure" | "skipped" }> = {
  passed: { allure: "passed", junit: "passed" },
  failed: { allure: "failed", junit: "failure" },
  "forced-fail": { allure: "failed", junit: "failure" },
  ignored: { allure: "skipped", junit: "skipped" },
  "forced-pass": { allure: "skipped", junit: "skipped" },
  undecidable: { allure: "unknown", junit: "skipped" },
};

export const FTW_REASON_CLASSES = ["rule-difference", "response-phase", "envoy", "no-response"] as const;

/** summary.json's `ftw` section (its keys are a contract; new ones are added, none renamed). */
export interface FtwSection {
  crsVersion: string;
  target: string;
  files: number;
  tests: number;
  passed: number;
  failed: number;
  ignored: number;
  undecidable: number;
  forcedPass: number;
  forcedFail: number;
  /** Tests whose expected output a platform overrides file replaced (they are run and judged against it). */
  overridden: number;
  testsPerSecond: number;
  seconds: number;
  failuresByReason: Record<(typeof FTW_REASON_CLASSES)[number], string[]>;
  stack?: { envoyVersion: string; wasmSha256: string; pluginConfigSha256: string };
  /** Envoy's CPU over the tests (container cgroup), and the rate 2 cores would allow if Envoy had them all. */
  envoyCpu?: {
    seconds: number;
    msPerTest: number;
    cores: number;
    ceilingTestsPerSecond: number;
    /** tests/s over the ceiling: how close the runner came to what Envoy's CPU allows. */
    ceilingRatio?: number | null;
    /** The runner's own CPU (this process: sending, judging, reading the log) per test: it shares the cores with Envoy. */
    runnerMsPerTest?: number;
  };
}

/** Exit status of an ftw run: 1 when a test failed or was forced to fail. */
export function ftwExitCode(section: FtwSection): number {
  return section.failed + section.forcedFail > 0 ? 1 : 0;
}

export function ftwSection(
  results: readonly FtwTestResult[],
  ctx: { crsVersion: string; target: string; seconds: number; stack?: FtwSection["stack"]; envoyCpu?: FtwSection["envoyCpu"] },
): FtwSection {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const sent = results.filter((r) => r.stages.length > 0).length;
  return {
    crsVersion: ctx.crsVersion,
    target: ctx.target,
    files: new Set(results.map((r) => r.file)).size,
    tests: results.length,
    passed: count("passed"),
    failed: count("failed"),
    ignored: count("ignored"),
    undecidable: count("undecidable"),
    forcedPass: count("forced-pass"),
    forcedFail: count("forced-fail"),
    overridden: results.filter((r) => r.override !== undefined).length,
    testsPerSecond: ctx.seconds > 0 ? Math.round((sent / ctx.seconds) * 10) / 10 : 0,
    seconds: Math.round(ctx.seconds * 10) / 10,
    failuresByReason: Object.fromEntries(FTW_REASON_CLASSES.map((c) => [c, results.filter((r) => r.reasonClass === c).map((r) => r.id)])) as FtwSection["failuresByReason"],
    ...(ctx.stack && { stack: ctx.stack }),
    ...(ctx.envoyCpu && { envoyCpu: ctx.envoyCpu }),
  };
}

/** One Allure result per ftw test: epic = CRS rule file, feature = rule id, each stage's reproducer attached. */
export function ftwAllureResult(r: FtwTestResult): ExtraResult {
  const notes = [
    ...(r.override ? [`expected output overridden: ${r.override}`] : []),
    ...(r.outcome === "forced-pass" || r.outcome === "forced-fail" || r.outcome === "ignored" ? [`${r.outcome}, not sent`] : []),
  ];
  return {
    id: `wafcheck:ftw:${r.id}`,
    name: `${r.id}: ${r.desc?.split("\n")[0] ?? ""}`,
    status: FTW_OUTCOME_VIEW[r.outcome].allure,
    message: [...notes, ...r.reasons].join("; ") || r.outcome,
    labels: [
      { name: "epic", value: `CRS ${r.ruleFile}` },
      { name: "feature", value: String(r.ruleId) },
      { name: "suite", value: "ftw" },
      ...(r.reasonClass ? [{ name: "tag", value: r.reasonClass }] : []),
      ...(r.outcome !== "passed" && r.outcome !== "failed" ? [{ name: "tag", value: r.outcome }] : []),
      ...(r.override ? [{ name: "tag", value: "overridden" }] : []),
    ],
    parameters: [{ name: "expected rules", value: r.expectedIds.join(", ") || "-" }],
    attachments: r.stages.map((s, i) => ({
      name: `stage ${i + 1}: ${s.status ?? s.error} — rules matched: ${s.rules.join(", ") || "none"}`,
      content: `${s.reproducer}\n`,
      type: "text/plain",
    })),
  };
}

/** What a terminal shows at the end: failures by class (progress output), then the counts and Envoy's CPU (the result). */
export function ftwSummaryLines(section: FtwSection, sent: number): { failures: string[]; result: string[] } {
  const failures = Object.entries(section.failuresByReason)
    .filter(([, ids]) => ids.length > 0)
    .map(([cls, ids]) => `failed (${cls}): ${ids.length}: ${ids.slice(0, 30).join(" ")}${ids.length > 30 ? " …" : ""}`);
  const forced = section.forcedPass + section.forcedFail > 0 ? `, ${section.forcedPass} forced to pass, ${section.forcedFail} forced to fail` : "";
  const overridden = section.overridden > 0 ? ` (${section.overridden} with overridden expectations)` : "";
  const result = [
    `ftw: ${section.tests} tests (CRS ${section.crsVersion}): ${section.passed} passed, ${section.failed} failed, ${section.ignored} ignored, ${section.undecidable} undecidable${forced}${overridden}; ` +
      `${section.testsPerSecond} tests/s (n=${sent} sent in ${section.seconds} s)`,
  ];
  if (section.envoyCpu)
    result.push(
      `Envoy CPU: ${section.envoyCpu.msPerTest} ms per test (${section.envoyCpu.seconds} s over the run): on ${section.envoyCpu.cores} cores at most ` +
        `${section.envoyCpu.ceilingTestsPerSecond} tests/s even if Envoy had them all` +
        (section.envoyCpu.ceilingRatio == null ? "" : `; this run reached ${section.envoyCpu.ceilingRatio} of that ceiling, the runner itself spending ${section.envoyCpu.runnerMsPerTest} ms of CPU per test`),
    );
  return { failures, result };
}
