// npm run latency -- --emit k6-operator: the ConfigMap + TestRun for a gateway, validated against the k6 Operator's
// own TestRun CRD (from the Go module proxy). Nothing is sent and k6 is not run (AGPL: not installed here).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { testRunCrd, validateTestRun } from "../harness/latency/index.ts";
import { runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

test("--emit k6-operator: a TestRun the operator's CRD accepts, the script bundled, no secret in it", async () => {
  const dir = await tempDir("wafcheck-k6op-");
  const targets = join(dir, "targets.yaml");
  writeFileSync(targets, `targets:\n  staging:\n    url: https://gw.staging.example.test\n    host: shop.example.test\n    allowlist: [gw.staging.example.test, shop.example.test]\n    rateLimit: 50\n    headers:\n      x-gateway-auth: { env: K6OP_SECRET }\n`);
  const out = await tempReports();
  const run = await runCli("latency", { WAF_TARGET: "staging", WAF_TARGETS_FILE: targets, K6OP_SECRET: "s3cr3t-value" }, ["--emit", "k6-operator", "--parallelism", "3", "--out", out]);
  assert.equal(run.code, 0, run.stderr.slice(-1500));
  const text = readFileSync(join(out, "k6-operator", "testrun.yaml"), "utf8");
  assert.ok(!text.includes("s3cr3t-value"), "the gateway's auth header value stays out");
  const [configMap, testRun] = parseAllDocuments(text).map((d) => d.toJS()) as Array<Record<string, any>>;
  assert.equal(testRun!.kind, "TestRun");
  assert.equal(testRun!.spec.parallelism, 3);
  assert.deepEqual(testRun!.spec.script, { configMap: { name: configMap!.metadata.name, file: "latency.js" } });
  const env = Object.fromEntries(testRun!.spec.runner.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.equal(env.WAF_URL, "https://gw.staging.example.test");
  assert.equal(env.HOST, "shop.example.test");
  assert.equal(env.WAF_SCENARIOS, "/test/scenarios.json");
  assert.match(configMap!.data["latency.js"], /export default|export \{/);
  assert.ok(!/from ["']\.\.?\//.test(configMap!.data["latency.js"]), "every project module is bundled into the one script");
  assert.ok(JSON.parse(configMap!.data["scenarios.json"]).scenarios.waf_crs);

  // The check can fail: the CRD refuses what the operator would refuse.
  const crd = await testRunCrd();
  assert.throws(() => validateTestRun({ ...testRun, spec: { ...testRun!.spec, parallelism: "four" } }, crd.text, crd.source), /TestRun \/spec\/parallelism: must be integer/);
  assert.throws(() => validateTestRun({ ...testRun, spec: { parallelism: 2 } }, crd.text, crd.source), /must have required property 'script'/);

  const local = await runCli("latency", { WAF_TARGET: "local" }, ["--emit", "k6-operator", "--out", out]);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /the k6 Operator runs in a cluster/);
});
