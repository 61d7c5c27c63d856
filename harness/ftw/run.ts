import pLimit from "p-limit";
import type { Engine, EngineRequest, Exchanged, WafEvidence } from "../engine/index.ts";
import { judgeFtwStage, type FtwJudgeOptions, type StageResult } from "./judge.ts";
import { ftwReplayCommand, ftwRequestText } from "./request.ts";
import { forcedOutcome, type FtwPolicy, type OverriddenTest } from "./overrides.ts";
import type { FtwTest } from "./schema.ts";

export interface FtwStageRecord {
  status?: number;
  error?: string;
  rules: number[];
  /** How to send the same bytes again (byte for byte: non-ASCII and control bytes as octal escapes). */
  reproducer: string;
}

/** One ftw test's result: a view-ready record (passed, failed with reasons and their class, ignored, undecidable). */
export interface FtwTestResult {
  id: string;
  file: string;
  ruleFile: string;
  ruleId: number;
  testId: number;
  desc?: string;
  /** forced-pass / forced-fail / ignored: settled by an ignore or force list, not sent. */
  outcome: "passed" | "failed" | "ignored" | "undecidable" | "forced-pass" | "forced-fail";
  reasons: string[];
  /** Why a test failed, for the report: Envoy changed or rejected the request, response phase, or a real rule difference. */
  reasonClass?: "envoy" | "response-phase" | "rule-difference" | "no-response";
  expectedIds: number[];
  /** The platform override that replaced this test's expected output, with its reason. */
  override?: string;
  stages: FtwStageRecord[];
}

export interface FtwRunOptions extends FtwJudgeOptions {
  engine: Engine;
  /** Tests settled without sending them: the plug-in's Envoy ignore list and the user's ignore/force lists. */
  policy: FtwPolicy;
  /** Requests per engine batch (one log settle each). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Runs the tests: stage k of every test goes out together (concurrently), so tests run in parallel, stages in order. */
export async function runFtwTests(tests: readonly OverriddenTest[], options: FtwRunOptions): Promise<FtwTestResult[]> {
  const results = new Map<string, FtwTestResult>();
  const active: FtwTest[] = [];
  for (const t of tests) {
    const result: FtwTestResult = {
      id: t.id, file: t.file, ruleFile: t.ruleFile, ruleId: t.ruleId, testId: t.testId, ...(t.desc !== undefined && { desc: t.desc }),
      outcome: "passed", reasons: [], expectedIds: [...new Set(t.stages.flatMap((s) => s.output.log?.expect_ids ?? []))],
      ...(t.override !== undefined && { override: t.override }), stages: [],
    };
    results.set(t.id, result);
    const forced = forcedOutcome(t.id, options.policy);
    if (forced) Object.assign(result, { outcome: forced.outcome, reasons: [forced.reason] });
    else active.push(t);
  }
  const batchSize = options.batchSize ?? 200;
  let done = tests.length - active.length;
  const maxStages = Math.max(0, ...active.map((t) => t.stages.length));
  for (let stage = 0; stage < maxStages; stage++) {
    const due = active.filter((t) => t.stages.length > stage && results.get(t.id)!.outcome === "passed");
    const batches = Array.from({ length: Math.ceil(due.length / batchSize) }, (_, i) => due.slice(i * batchSize, (i + 1) * batchSize));
    // Two batches in flight: while one waits for its log lines (its sentinel), the next is already sending, so Envoy
    // is never idle between batches. Each batch settles on its own correlation ids.
    const inFlight = pLimit(2);
    await Promise.all(
      batches.map((batch) =>
        inFlight(async () => {
          let judged = await judgeBatch(batch, stage, options);
          // retry_once: a stage that asks for it gets one more try (go-ftw does the same for flaky tests).
          const retry = judged.filter((j) => j.result.outcome === "failed" && j.test.stages[stage]!.output.retry_once);
          if (retry.length > 0) {
            const again = new Map((await judgeBatch(retry.map((r) => r.test), stage, options)).map((j) => [j.test.id, j]));
            judged = judged.map((j) => again.get(j.test.id) ?? j);
          }
          for (const { test, result, exchanged } of judged) {
            const r = results.get(test.id)!;
            r.stages.push(stageRecord(exchanged));
            if (result.outcome !== "passed") {
              r.outcome = result.outcome;
              r.reasons = result.reasons.map((x) => (test.stages.length > 1 ? `stage ${stage + 1}: ${x}` : x));
              if (result.outcome === "failed") r.reasonClass = reasonClass(test, stage, exchanged);
            }
            if (stage === test.stages.length - 1 || result.outcome !== "passed") options.onProgress?.(++done, tests.length);
          }
        }),
      ),
    );
  }
  return tests.map((t) => results.get(t.id)!);
}

async function judgeBatch(batch: readonly FtwTest[], stage: number, options: FtwRunOptions): Promise<Array<{ test: FtwTest; result: StageResult; exchanged: Exchanged & { evidence: WafEvidence } }>> {
  const requests = batch.map((t) => stageRequest(t, stage));
  const exchanged = await options.engine.exchange(requests);
  return exchanged.map((x, i) => ({ test: batch[i]!, exchanged: x, result: judgeFtwStage(batch[i]!.stages[stage]!.output, x.outcome, x.evidence, options) }));
}

/** An ftw stage as an engine request: raw bytes (ftw controls every byte), the test's identity as metadata. */
function stageRequest(test: FtwTest, stage: number): EngineRequest {
  const input = test.stages[stage]!.input;
  return {
    id: `${test.id}/${stage + 1}`, method: input.method ?? "GET", path: input.uri ?? "/", headers: [], transport: "raw", raw: ftwRequestText(input),
    suite: "ftw", group: test.ruleFile, caseId: test.id, title: test.desc ?? test.id, class: "crs-regression", owasp2025: "-", owasp2021: "-", cwe: "-",
    severity: "normal", expect: "block", placement: "raw", encoding: "none", crsRules: test.stages[stage]!.output.log?.expect_ids ?? [],
  };
}

function stageRecord(x: Exchanged & { evidence: WafEvidence }): FtwStageRecord {
  return {
    ...(x.outcome.kind === "response" ? { status: x.outcome.status } : { error: `${x.outcome.code}: ${x.outcome.message}` }),
    rules: x.evidence.kind === "logged" ? [...new Set(x.evidence.rules.map((r) => r.id))] : [],
    reproducer: x.raw !== undefined ? ftwReplayCommand(x.baseUrl, x.raw) : "",
  };
}

/** The failure's likely cause, for the report (a heuristic; the reasons themselves are exact). */
function reasonClass(test: FtwTest, stage: number, x: Exchanged & { evidence: WafEvidence }): FtwTestResult["reasonClass"] {
  if (x.outcome.kind === "error") return "no-response";
  const input = test.stages[stage]!.input;
  if ((input.uri ?? "").startsWith("/reflect")) return "response-phase";
  const fromApp = x.outcome.headers["x-envoy-upstream-service-time"] !== undefined;
  if (!fromApp && x.evidence.kind !== "logged") return "envoy";
  return "rule-difference";
}
