// Plain requests and records shaped like the engine's, for unit tests of pure code (views, decisions) and the
// harness-cost benchmark (scripts/bench-runs.ts). Nothing here imitates Envoy, Coraza or httpbin.
import type { Outcome } from "../http/index.ts";
import type { EngineRequest, WafRecord } from "./record.ts";

export function fakeRequest(over: Partial<EngineRequest> = {}): EngineRequest {
  return {
    id: "sqli-001/query/none", caseId: "sqli-001", title: "UNION in a query argument", class: "sqli", owasp2025: "A05:2025", owasp2021: "A03:2021",
    cwe: "CWE-89", severity: "critical", expect: "block", paranoia: 1, placement: "query", encoding: "none", crsRules: [942100],
    method: "GET", path: "/get?q=1%27%20UNION%20SELECT%201--", headers: [["user-agent", "test"]], suite: "owasp", group: "sqli · sqli.yaml (1 request)",
    transport: "http", ...over,
  } as EngineRequest;
}

export function response(status: number, headers: Record<string, string> = {}, body = ""): Outcome {
  return { kind: "response", status, headers, bodyHead: body.slice(0, 1024), body, elapsedMs: 1 };
}

export const FROM_UPSTREAM = { "x-envoy-upstream-service-time": "1" };

export function fakeRecord(over: Partial<WafRecord> & { expect?: "block" | "allow" } = {}): WafRecord {
  const { expect = "block", ...rest } = over;
  const request = fakeRequest({ expect });
  const { suite, group, id, method, path, headers: _h, transport: _t, ...meta } = request;
  const title = request.title;
  return {
    schemaVersion: 1, id, suite, group, title, meta, target: { name: "local", baseUrl: "http://127.0.0.1:1" },
    sent: { method, url: `http://127.0.0.1:1${path}`, headers: [], reproducer: "curl …" },
    response: { kind: "response", status: 403, headers: [], bodyHead: "", elapsedMs: 2 },
    waf: { evidence: "logged", rules: [{ id: 942100 }, { id: 949110 }] },
    verdict: "blocked", proxyChanges: [], judgement: "true-positive", informational: false, fails: false, message: "blocked (HTTP 403)",
    startedAt: "2026-11-29T00:00:00.000Z", ...rest,
  };
}
