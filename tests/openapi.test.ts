// npm run waf --openapi end to end against the real local stack (Envoy + Coraza + albedo behind the reflector
// route), on a real public spec a registry ships (the pet store of @readme/oas-examples, its `store` operations):
// benign requests the spec says are valid, attacks in every parameter, findings per operation in summary.json
// openapi and on the first screen. Then the same spec under DetectionOnly: every attack becomes a bypass, so the
// suite can fail.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { example, ROOT, runCli, tempReports } from "./support/cli.ts";

const PETSTORE = join(ROOT, "node_modules/@readme/oas-examples/3.0/json/petstore.json");
const ARGS = ["--openapi", PETSTORE, "--openapi-tag", "store", "suites/openapi"];

interface OpenApi {
  operations: number;
  operationsWithValidBenign: number;
  requests: { benign: number; attacks: number };
  falsePositives: Array<{ operation: string; rules: Array<{ id: number }> }>;
  bypassesByParameter: Array<{ operation: string; parameter: string; classes: Record<string, number> }>;
  byOperation: Array<{ operation: string; attacks: number; bypassed: number }>;
  noBenign: unknown[];
}
interface Verdict { verdict: string; expect: string; kind: string; status?: number; reproducer: string }

const read = (dir: string) => ({
  summary: JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { openapi: OpenApi; suites: Record<string, unknown> },
  verdicts: JSON.parse(readFileSync(join(dir, "verdicts.json"), "utf8")).requests as Record<string, Verdict>,
  md: readFileSync(join(dir, "summary.md"), "utf8"),
});

test("npm run waf --openapi: the pet store's store operations through the real stack; DetectionOnly turns their attacks into bypasses", { timeout: 600_000 }, async (t) => {
  await t.test("the project's manifest", async () => {
    const dir = await tempReports();
    const run = await runCli("waf", { WAF_REPORTS_DIR: dir, WAF_LATENCY_PROBE: "off" }, ARGS, 300_000);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}\n${run.stderr.slice(-2000)}`);
    const { summary, verdicts, md } = read(dir);
    const o = summary.openapi;
    assert.equal(o.operations, 4); // getInventory, placeOrder, getOrderById, deleteOrder
    assert.equal(o.operationsWithValidBenign, 4);
    assert.deepEqual(o.noBenign, []);
    assert.ok(o.requests.benign >= 4 && o.requests.attacks >= 4 * 12, JSON.stringify(o.requests));
    const all = Object.entries(verdicts);
    assert.equal(all.length, o.requests.benign + o.requests.attacks, "only OpenAPI requests ran");
    assert.deepEqual(all.filter(([, v]) => v.verdict === "infra").map(([id]) => id), [], "no infrastructure error");
    // Allowed requests were answered by the reflecting backend (200 on the API's own paths), and their replay says how to route there.
    for (const [id, v] of all.filter(([, v]) => v.verdict === "allowed")) {
      assert.equal(v.status, 200, id);
      assert.match(v.reproducer, /x-wafcheck-upstream: reflector/, id);
    }
    // Attacks in the path parameter and in JSON body fields at their depth.
    assert.ok(all.some(([id]) => id.startsWith("getOrderById/path:orderId/")));
    assert.ok(all.some(([id]) => id.startsWith("placeOrder/body:")));
    // CRS at PL1 allows GET HEAD POST OPTIONS: the valid DELETE is a false positive, by rule 911100.
    const del = o.falsePositives.find((f) => f.operation === "deleteOrder");
    assert.ok(del && del.rules.some((r) => r.id === 911100), JSON.stringify(o.falsePositives));
    assert.equal(verdicts["getInventory/benign/all"]?.kind, "passed");
    assert.match(md, /OpenAPI \(Swagger Petstore[^)]*\): 4 operations \(4 with a valid benign request\)/);
    assert.match(md, /\| DELETE \/store\/order\/\{orderId\} \| 1\/1 \| 911100/);
  });

  await t.test("envoy-local/examples/detection-only.yaml", async () => {
    const dir = await tempReports();
    const run = await runCli("waf", { WAF_REPORTS_DIR: dir, WAF_LATENCY_PROBE: "off", WAF_PLUGIN: example("detection-only.yaml") }, ARGS, 300_000);
    assert.equal(run.code, 1, run.stderr.slice(-2000));
    const { summary, verdicts } = read(dir);
    const attacks = Object.entries(verdicts).filter(([, v]) => v.expect === "block");
    assert.ok(attacks.length >= 48);
    assert.deepEqual(attacks.filter(([, v]) => v.verdict !== "allowed").map(([id]) => id), [], "DetectionOnly blocks no attack");
    const bypassed = summary.openapi.bypassesByParameter.reduce((n, b) => n + Object.values(b.classes).reduce((a, c) => a + c, 0), 0);
    const accepted = attacks.filter(([, v]) => v.kind === "accepted-gap").length;
    assert.equal(bypassed + accepted, attacks.length, "every attack is a bypass (or an exceptions.yaml gap), by parameter");
    assert.deepEqual(summary.openapi.falsePositives, []);
  });
});
