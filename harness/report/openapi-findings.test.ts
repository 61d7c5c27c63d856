// summary.json openapi from records (fakes: a pure view): false positives with rule and field, bypasses by parameter, per operation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeRecord } from "../engine/test-records.ts";
import type { WafRecord } from "../engine/index.ts";
import type { OpenApiGeneration } from "../openapi/index.ts";
import { openapiMarkdown, openapiSummary } from "./openapi-findings.ts";

const op = { spec: "shop", operation: "listOrders", method: "GET", path: "/orders", tags: ["orders"] };
const rec = (id: string, expect: "block" | "allow", cls: string, verdict: WafRecord["verdict"], judgement: WafRecord["judgement"], openapi: Record<string, unknown>, rules: WafRecord["waf"]["rules"] = []): WafRecord => {
  const base = fakeRecord({ expect });
  return { ...base, id, suite: "openapi", meta: { ...base.meta, class: cls, openapi: { ...op, ...openapi } } as WafRecord["meta"], verdict, judgement, fails: judgement === "bypass" || judgement === "false-positive", waf: { evidence: "logged", rules } };
};
const generation: OpenApiGeneration = {
  specs: [{ source: "shop.yaml", title: "Shop", version: "1", openapi: "3.0.3", basePath: "", operations: 2, selected: 2 }],
  settings: { perClass: 1, seed: "wafcheck", classes: ["sqli", "xss"], maxRequests: 15_000, tags: [] },
  operations: [
    { ...op, benign: 1, attacks: 2, attacked: ["query:q"] },
    { spec: "shop", operation: "addKey", method: "POST", path: "/keys", tags: [], benign: 0, attacks: 0, attacked: [], noBenign: "query parameter kind: no candidate value" },
  ],
};
const records = [
  rec("listOrders/benign/all", "allow", "benign", "blocked", "false-positive", { kind: "benign", variant: "all" }, [
    { id: 942100, msg: "SQL Injection Attack Detected via libinjection", data: "Matched Data: s&1c found within ARGS:q: select 1" }, { id: 949110, msg: "Inbound Anomaly Score Exceeded" },
  ]),
  rec("listOrders/query:q/sqli-1", "block", "sqli", "allowed", "bypass", { kind: "attack", parameter: "query:q", location: "query" }),
  rec("listOrders/query:q/xss-1", "block", "xss", "blocked", "true-positive", { kind: "attack", parameter: "query:q", location: "query" }),
  { ...fakeRecord(), id: "sqli-001/query/none" }, // a corpus record: not the OpenAPI section's
];

test("openapi summary: generation facts, false positives with the rules and fields, bypasses by parameter, per operation", () => {
  const s = openapiSummary(generation, records);
  assert.equal(s.operations, 2);
  assert.equal(s.operationsWithValidBenign, 1);
  assert.equal(s.benignValidShare, 0.5);
  assert.deepEqual(s.requests, { benign: 1, attacks: 2 });
  assert.deepEqual(s.noBenign, [{ operation: "addKey", method: "POST", path: "/keys", reason: "query parameter kind: no candidate value" }]);
  assert.deepEqual(s.falsePositives, [{ id: "listOrders/benign/all", operation: "listOrders", method: "GET", path: "/orders", variant: "all", rules: [{ id: 942100, msg: "SQL Injection Attack Detected via libinjection", field: "ARGS:q" }] }]);
  assert.deepEqual(s.falsePositivesByRule, [{ id: 942100, msg: "SQL Injection Attack Detected via libinjection", requests: 1, operations: 1, methods: ["GET"], fields: ["ARGS:q"] }]);
  assert.deepEqual(s.bypassesByLocation, { query: { bypassed: 1, attacks: 2 } });
  assert.deepEqual(s.detectionWhereValidPasses, { blocked: 0, judged: 0 }, "listOrders's valid request was blocked: its attacks say nothing");
  assert.deepEqual(s.bypassesByParameter, [{ operation: "listOrders", method: "GET", path: "/orders", parameter: "query:q", classes: { sqli: 1 }, ids: ["listOrders/query:q/sqli-1"] }]);
  assert.deepEqual(s.byOperation, [{ operation: "listOrders", method: "GET", path: "/orders", benign: 1, falsePositives: 1, attacks: 2, blocked: 1, bypassed: 1, bypassedParameters: ["query:q"] }]);
  const md = openapiMarkdown(s).join("\n");
  assert.match(md, /\| GET \/orders \| 1\/1 \| 942100 \(ARGS:q\) \| 1\/2 \| query:q: sqli \|/);
  assert.match(md, /\| 942100 SQL Injection Attack Detected via libinjection \| 1 \| 1 \| GET \| ARGS:q \|/);
  assert.match(md, /Attacks through, by parameter location: query 1\/2/);
  assert.match(md, /No valid benign request for 1 operations: addKey/);
});
