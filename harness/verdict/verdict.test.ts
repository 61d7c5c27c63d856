import assert from "node:assert/strict";
import { test } from "node:test";
import type { Outcome } from "../http/request.ts";
import { classify, type Verdict } from "./verdict.ts";

const response = (status: number, headers: Record<string, string> = {}): Outcome => ({ kind: "response", status, headers, bodyHead: "", elapsedMs: 1 });
const upstream = { "x-envoy-upstream-service-time": "3" };

const table: Array<[string, Outcome, Verdict]> = [
  ["200 from upstream", response(200, upstream), "allowed"],
  ["404 from upstream is still allowed", response(404, upstream), "allowed"],
  ["403 from the WAF (local reply)", response(403), "blocked"],
  ["403 after upstream headers (phase 3/4 interruption)", response(403, upstream), "blocked"],
  ["Envoy's own 400", response(400), "rejected-by-proxy"],
  ["Envoy's 431 (headers too large)", response(431), "rejected-by-proxy"],
  ["httpbin's 400 is allowed (upstream answered)", response(400, upstream), "allowed"],
  ["503 from the proxy", response(503), "infra"],
  ["502 bad gateway", response(502), "infra"],
  ["500 from upstream", response(500, upstream), "infra"],
  ["timeout", { kind: "error", code: "UND_ERR_HEADERS_TIMEOUT", message: "timeout", elapsedMs: 15000 }, "infra"],
  ["connection reset", { kind: "error", code: "ECONNRESET", message: "reset", elapsedMs: 2 }, "infra"],
  ["connection refused", { kind: "error", code: "ECONNREFUSED", message: "refused", elapsedMs: 1 }, "infra"],
];

test("a phase-4 interruption (200 with the body nulled) is blocked; an empty 200 is not", () => {
  assert.equal(classify({ ...response(200, upstream), bodyHead: "\u0000".repeat(81) } as Outcome), "blocked");
  assert.equal(classify(response(200, upstream)), "allowed");
});

for (const [what, outcome, verdict] of table) test(`${what} → ${verdict}`, () => assert.equal(classify(outcome), verdict));

test("a configured block status counts as blocked", () => {
  assert.equal(classify(response(406), { blockStatuses: [403, 406] }), "blocked");
  assert.equal(classify(response(406, upstream)), "allowed");
});
