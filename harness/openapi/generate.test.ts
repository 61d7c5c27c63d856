// The pure OpenAPI generator on small documents written here (dereferenced objects, as load-spec.ts hands them over).
import assert from "node:assert/strict";
import { test } from "node:test";
import { benignValue } from "./benign-values.ts";
import { generateRequests, type OpenApiRequest } from "./generate.ts";
import { filterOperations, listOperations } from "./operation.ts";
import { payloadPool, sampleFor, type PayloadCase } from "./payload-sample.ts";
import { SchemaChecker } from "./schema-check.ts";

const kase = (id: string, cls: PayloadCase["class"], payload: string, paranoia?: number): PayloadCase => ({
  id, title: id, class: cls, owasp2025: "A05:2025", owasp2021: "A03:2021", cwe: "CWE-89", severity: "critical", expect: "block", payload, ...(paranoia && { paranoia }),
});
const CASES = [
  kase("sqli-1", "sqli", "' OR 1=1--"), kase("sqli-2", "sqli", "1 UNION SELECT password FROM users"), kase("sqli-3", "sqli", "x' AND SLEEP(5)#", 2),
  kase("xss-1", "xss", "<script>alert(1)</script>"), kase("xss-2", "xss", "line\r\nbreak<svg onload=alert(1)>"),
];
const doc = {
  openapi: "3.0.3",
  paths: {
    "/orders/{orderId}": {
      parameters: [{ name: "orderId", in: "path", required: true, schema: { type: "integer", minimum: 1 }, example: 42 }],
      get: {
        operationId: "getOrder", tags: ["orders"],
        parameters: [
          { name: "fields", in: "query", schema: { type: "array", items: { type: "string", enum: ["id", "total"] } }, explode: false },
          { name: "X-Request-Id", in: "header", schema: { type: "string", format: "uuid" } },
          { name: "session", in: "cookie", required: true, schema: { type: "string", pattern: "^[a-f0-9]{8}$" } },
          { name: "Accept", in: "header", schema: { type: "string" } },
        ],
      },
      put: {
        operationId: "updateOrder", tags: ["orders"],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object", required: ["customer"],
                properties: {
                  customer: { type: "object", required: ["email"], properties: { email: { type: "string", format: "email" }, name: { type: "string", minLength: 2 } } },
                  items: { type: "array", items: { type: "object", properties: { sku: { type: "string" } } } },
                  note: { type: "string", nullable: true },
                },
              },
            },
          },
        },
      },
    },
    "/upload": { post: { operationId: "upload", tags: ["files"], requestBody: { required: true, content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { title: { type: "string" } } } } } } } },
    "/keys": { post: { operationId: "addKey", tags: ["keys"], parameters: [{ name: "kind", in: "query", required: true, schema: { type: "string", pattern: "^ssh-(rsa|ed25519) [A-Za-z0-9+/]{20}$" }, example: "not a key" }] } },
    "/blob": { post: { operationId: "putBlob", requestBody: { required: true, content: { "application/xml": { schema: { type: "object" } } } } } },
  },
};
const opts = { perClass: 1, seed: "t", classes: ["sqli", "xss"] as const, paranoia: 1, spec: "shop", basePath: "/api", idPrefix: "" };
const made = generateRequests(listOperations(doc), CASES, new SchemaChecker("3.0"), { ...opts, classes: [...opts.classes] });
const byId = (id: string) => made.requests.find((r) => r.id === id) as OpenApiRequest;

test("operations: path-level parameters merged, Accept/Content-Type/Authorization headers ignored, filters by tag and path", () => {
  const ops = listOperations(doc);
  assert.deepEqual(ops.map((o) => `${o.method} ${o.path} ${o.id}`), ["GET /orders/{orderId} getOrder", "PUT /orders/{orderId} updateOrder", "POST /upload upload", "POST /keys addKey", "POST /blob putBlob"]);
  assert.deepEqual(ops[0]!.parameters.map((p) => `${p.in}:${p.name}`), ["path:orderId", "query:fields", "header:X-Request-Id", "cookie:session"]);
  assert.deepEqual(filterOperations(ops, { tags: ["ORDERS"] }).map((o) => o.id), ["getOrder", "updateOrder"]);
  assert.deepEqual(filterOperations(ops, { path: /^\/up/ }).map((o) => o.id), ["upload"]);
});

test("benign requests: the spec's example first, generated values that the schema accepts, styles applied; required-only and every-part variants", () => {
  const required = byId("getOrder/benign/required");
  assert.match(required.path, /^\/api\/orders\/42$/);
  assert.match(required.headers.find(([n]) => n === "Cookie")![1], /^session=[a-f0-9]{8}$/);
  const all = byId("getOrder/benign/all");
  assert.match(all.path, /^\/api\/orders\/42\?fields=id(,(id|total))*$/, "form style, not exploded: one comma-separated value");
  assert.match(all.headers.find(([n]) => n === "X-Request-Id")![1], /^[0-9a-f-]{36}$/);
  assert.equal(all.expect, "allow");
  assert.equal(all.class, "benign");
  assert.deepEqual(all.openapi, { spec: "shop", operation: "getOrder", method: "GET", path: "/orders/{orderId}", tags: ["orders"], kind: "benign", variant: "all" });
  const body = JSON.parse(byId("updateOrder/benign/required").body as string);
  assert.deepEqual(Object.keys(body), ["customer"]);
  assert.match(body.customer.email, /@/);
  assert.equal(byId("upload/benign/all").headers.find(([n]) => n === "Content-Type")![1], "application/x-www-form-urlencoded");
});

test("operations without a valid benign request are listed with the reason; their parameters still get attacks", () => {
  const reasons = Object.fromEntries(made.operations.filter((o) => o.noBenign).map((o) => [o.operation, o.noBenign]));
  assert.match(reasons.addKey!, /^query parameter kind: example "not a key": value must match pattern/);
  assert.match(reasons.putBlob!, /request body: no media type wafcheck can write \(application\/xml\)/);
  assert.ok(made.requests.some((r) => r.id === "addKey/query:kind/sqli-1" || r.id.startsWith("addKey/query:kind/")));
  assert.deepEqual(made.operations.find((o) => o.operation === "putBlob")!.notAttacked, [{ parameter: "body", reason: "no media type wafcheck can write (application/xml)" }]);
});

test("attacks: one payload per class in every parameter and body field at its depth, encoded as the location says", () => {
  const attacks = made.requests.filter((r) => r.openapi.operation === "updateOrder" && r.expect === "block");
  assert.deepEqual([...new Set(attacks.map((r) => r.openapi.parameter))].sort(), ["body:customer.email", "body:customer.name", "body:items[0].sku", "body:note", "path:orderId"]);
  for (const p of new Set(attacks.map((r) => r.openapi.parameter))) assert.deepEqual(attacks.filter((r) => r.openapi.parameter === p).map((r) => r.class).sort(), ["sqli", "xss"]);
  const nested = attacks.find((r) => r.openapi.parameter === "body:customer.email" && r.class === "sqli")!;
  assert.equal(nested.placement, "json-nested");
  assert.equal(JSON.parse(nested.body as string).customer.email, CASES.find((c) => c.id === nested.caseId)!.payload);
  assert.equal(attacks.find((r) => r.openapi.parameter === "body:items[0].sku")!.placement, "json-array");
  const inPath = attacks.find((r) => r.openapi.parameter === "path:orderId" && r.class === "xss")!;
  assert.ok(inPath.path.startsWith("/api/orders/%3C"), inPath.path);
  const header = made.requests.filter((r) => r.openapi.parameter === "header:X-Request-Id");
  assert.deepEqual(header.map((r) => r.caseId), ["sqli-1", "xss-1"].filter((id) => header.some((r) => r.caseId === id)));
  assert.ok(header.every((r) => !/[\r\n]/.test(r.headers.map(([, v]) => v).join(""))), "a header never carries a line break");
  assert.equal(header[0]!.placement, "header:X-Request-Id");
  const cookie = made.requests.find((r) => r.openapi.parameter === "cookie:session" && r.class === "sqli")!;
  assert.match(cookie.headers.find(([n]) => n === "Cookie")![1], /^session=[%A-Za-z0-9._~-]+$/, "form style: percent-encoded");
  assert.ok(made.requests.every((r, i, all) => all.findIndex((x) => x.id === r.id) === i), "ids are unique");
  assert.match(nested.id, /^updateOrder\/body:customer\.email\/sqli-\d$/);
});

test("sampling is seeded: the same seed gives the same payloads, paranoia-level cases first, a class budget per parameter", () => {
  const pool = payloadPool(CASES, ["sqli", "xss"]);
  const a = sampleFor(pool, "k", { perClass: 2, seed: "s", classes: ["sqli"], paranoia: 1 });
  assert.deepEqual(a, sampleFor(pool, "k", { perClass: 2, seed: "s", classes: ["sqli"], paranoia: 1 }));
  assert.deepEqual(a.map((c) => c.id).sort(), ["sqli-1", "sqli-2"], "the PL2 case comes last");
  assert.equal(sampleFor(pool, "k", { perClass: 3, seed: "s", classes: ["sqli"], paranoia: 1 }).at(-1)!.id, "sqli-3");
  const keys = Array.from({ length: 20 }, (_, i) => `p${i}`);
  const drawn = new Set(keys.map((k) => sampleFor(pool, k, { perClass: 1, seed: "s", classes: ["sqli"], paranoia: 1 })[0]!.id));
  assert.ok(drawn.size > 1, "other parameters get other payloads");
  const budget = keys.map((k) => sampleFor(pool, k, { perClass: 1, seed: "s", classes: ["sqli", "xss"], paranoia: 1, classesPerParameter: 1 }));
  assert.ok(budget.every((b) => b.length === 1));
  assert.deepEqual(new Set(budget.map((b) => b[0]!.class)), new Set(["sqli", "xss"]));
});

test("schema check: OpenAPI 3.0 nullable and boolean exclusive bounds; an unsatisfiable schema says why", () => {
  const checker = new SchemaChecker("3.0");
  assert.equal(checker.check({ type: "string", nullable: true }, null), undefined);
  assert.match(checker.check({ type: "integer", minimum: 1, exclusiveMinimum: true }, 1)!, /must be > 1/);
  assert.equal(benignValue({ type: "string", enum: ["a", "b"] }, undefined, checker).value, "a");
  assert.equal(benignValue({ type: "integer", default: 30, maximum: 100 }, undefined, checker).value, 30);
  assert.match(String(benignValue({ type: "string", pattern: "^[a-z]{3}$" }, undefined, checker).value), /^[a-z]{3}$/);
  assert.ok(benignValue({ type: "string", minLength: 5, maxLength: 2 }, undefined, checker).problem);
});
