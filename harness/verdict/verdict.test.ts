import assert from "node:assert/strict";
import { test } from "node:test";
import type { Outcome } from "../http/index.ts";
import { classify, masksUpstreamError, type Verdict } from "./verdict.ts";

const response = (status: number, headers: Record<string, string> = {}): Outcome => ({ kind: "response", status, headers, bodyHead: "", elapsedMs: 1 });
const upstream = { "x-envoy-upstream-service-time": "3" };

const table: Array<[string, Outcome, Verdict]> = [
  ["200 from upstream", response(200, upstream), "allowed"],
  ["404 from upstream is still allowed", response(404, upstream), "allowed"],
  ["101 Switching Protocols (WebSocket upgrade accepted by the app)", response(101, { ...upstream, upgrade: "websocket" }), "allowed"],
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

test("the app's own status (a case's appStatus) from the upstream is allowed; from the proxy it stays infra", () => {
  assert.equal(classify(response(500, upstream), undefined, 500), "allowed");
  assert.equal(classify(response(503), undefined, 503), "infra", "no upstream header: Envoy's own 503");
  assert.equal(classify(response(502, upstream), undefined, 500), "infra", "another 5xx than the app's");
  assert.equal(classify(response(403, upstream), undefined, 500), "blocked");
});

test("a block by CRS 950100 (upstream 5xx) is an outage masked by the WAF, unless the case expects the app's 5xx", () => {
  assert.equal(masksUpstreamError([950100, 959101], undefined), true);
  assert.equal(masksUpstreamError([950100, 959101], 200), true);
  assert.equal(masksUpstreamError([950100, 959101], 500), false);
  assert.equal(masksUpstreamError([942100, 949110], undefined), false);
});
