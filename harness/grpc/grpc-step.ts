import type { WafEnv } from "../config/index.ts";
import type { ExtraResult, StepOutput } from "../report/index.ts";
import type { StartedStack } from "../stack/index.ts";
import { grpcCallRow, grpcSection, type GrpcCallResult, type GrpcCallRow } from "./grpc-finding.ts";
import { callPath, runGrpcProbe } from "./grpc-probe.ts";

/**
 * WAF_GRPC=on (npm run waf, local target): the gRPC probe on the run's stack (started with grpc: true), its section
 * `grpc` merged into summary.json and one Allure result per call. A measurement: it never changes the run's exit
 * status, and never throws (a probe that cannot run is logged and recorded as grpc.error).
 */
export async function grpcStep(env: Pick<WafEnv, "WAF_GRPC" | "WAF_TARGET">, stack: StartedStack | undefined, log: (line: string) => void): Promise<StepOutput | undefined> {
  if (env.WAF_GRPC !== "on") return undefined;
  if (!stack?.grpc) {
    log(`WAF_GRPC=on: the gRPC probe runs against the local stack only; skipped for target ${env.WAF_TARGET}`);
    return undefined;
  }
  try {
    const results = await runGrpcProbe(stack.info(), log);
    const section = grpcSection(results);
    const rows = new Map(section.calls.map((row) => [row.id, row]));
    log(`gRPC: ${section.finding}`);
    return { sections: { grpc: section }, extraResults: results.map((r) => grpcAllureResult(r, rows.get(r.id) ?? grpcCallRow(r))) };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!;
    log(`the gRPC probe did not run: ${message}`);
    return { sections: { grpc: { measured: false, error: message } } };
  }
}

export function grpcAllureResult(r: GrpcCallResult, row: GrpcCallRow): ExtraResult {
  const status: ExtraResult["status"] = row.verdict === "error" ? "broken" : row.asExpected ? "passed" : "failed";
  const rules = (r.rules ?? []).map((x) => `${x.id} ${x.msg ?? ""}${x.data ? ` | ${x.data}` : ""}`).join("\n");
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return {
    id: `grpc/${r.id}`,
    name: `gRPC ${r.payloadClass} in ${r.placement} (${r.mode})`,
    fullName: `grpc › ${r.id}`,
    status,
    ...(status !== "passed" && { message: `${row.verdict}${row.error ? `: ${row.error}` : ""} (expected ${r.mode === "baseline" || r.expect === "allow" ? "allowed" : "blocked"})` }),
    descriptionHtml: `<p>Unary gRPC call <code>${escape(callPath(r))}</code> over h2c, payload in the ${r.placement}: verdict <b>${row.verdict}</b>, HTTP ${row.status ?? "–"}, grpc-status ${row.grpcStatus ?? "–"}${row.grpcStatusName ? ` (${row.grpcStatusName})` : ""}${row.interruptedIn ? `, interrupted in ${row.interruptedIn}` : ""}.</p>`,
    labels: [
      { name: "epic", value: "gRPC (application/grpc over HTTP/2)" },
      { name: "feature", value: r.mode },
      { name: "story", value: r.placement },
      { name: "suite", value: "grpc" },
      { name: "tag", value: r.payloadClass },
    ],
    parameters: [
      { name: "payload", value: r.payload },
      { name: "directive set", value: r.mode },
    ],
    attachments: [
      ...(rules ? [{ name: "matched rules", content: rules, type: "text/plain" }] : []),
      { name: "call.json", content: JSON.stringify({ ...row, grpcMessage: r.grpcMessage, echoed: r.echoed, durationMs: r.durationMs, rules: r.rules }, null, 2), type: "application/json" },
    ],
  };
}
