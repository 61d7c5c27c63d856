// Every finding can be replayed from the report: the replay command of each bypass, run as a reviewer would
// against the same stack (the manifest's stack brought back), gets the same answer from the app.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import type { WafRecord } from "../harness/engine/index.ts";
import { loadManifest } from "../harness/manifest/index.ts";
import { startLocalStack } from "../harness/stack/index.ts";
import { example, runCli, tempReports } from "./support/cli.ts";

test("the replay commands of a run's findings (a cookie attack, a raw chunked request, a WebSocket upgrade and a GraphQL body among them) get the same answer again", async () => {
  const reports = await tempReports();
  const manifest = example("detection-only.yaml");
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_PLUGIN: manifest, WAF_LATENCY_PROBE: "off" }, ["--grep", "\\bsqli-001/cookie|evasion-004|\\bxss-001/query|api-xss-001/websocket|api-sqli-001/graphql-query"]);
  assert.equal(run.code, 1, run.stderr.slice(-1500));
  const results = join(reports, "allure-results");
  const records: WafRecord[] = [];
  for (const f of readdirSync(results).filter((f) => f.endsWith("-result.json"))) {
    const result = JSON.parse(readFileSync(join(results, f), "utf8")) as { attachments: Array<{ name: string; source: string }> };
    const record = result.attachments.find((a) => a.name === "record.json");
    if (record) records.push(JSON.parse(readFileSync(join(results, record.source), "utf8")) as WafRecord);
  }
  assert.ok(records.some((r) => r.meta.placement === "cookie" && r.judgement === "bypass"), "a cookie attack that bypassed");
  // Raw requests reach the app here too; Envoy re-frames the chunked body, so they count as changed by proxy.
  assert.ok(records.some((r) => r.sent.raw !== undefined), "a raw request");
  assert.ok(records.filter((r) => r.judgement === "bypass").length >= 2);
  // A WebSocket upgrade (raw, answered 101 by the app) and a GraphQL body are replayed too.
  assert.ok(records.some((r) => r.meta.placement === "websocket" && r.response.kind === "response" && r.response.status === 101), "a WebSocket upgrade that reached the app");
  assert.ok(records.some((r) => r.meta.placement === "graphql-query" && r.judgement === "bypass"), "a GraphQL attack that bypassed");

  // The stack the report names (WAF_PLUGIN=<manifest> npm run stack), brought back.
  const stack = await startLocalStack({ manifest: await loadManifest(manifest) });
  try {
    for (const r of records) {
      const old = new URL(r.target.baseUrl);
      const now = new URL(stack.gatewayUrl);
      const command = r.sent.reproducer.replaceAll(old.host, now.host).replace(`nc -w 5 ${old.hostname} ${old.port}`, `nc -w 5 ${now.hostname} ${now.port}`);
      assert.doesNotMatch(command, /REDACTED/, `${r.id}: the replay holds the payload`);
      const out = String((await execa("bash", ["-c", command], { reject: false, timeout: 20_000 })).stdout);
      const status = Number(/^HTTP\/1\.1 (\d{3})/m.exec(out)?.[1]);
      assert.ok(r.response.kind === "response");
      assert.equal(status, r.response.status, `${r.id}: same status on replay\n${command}\n${out.slice(0, 500)}`);
      const fromApp = r.response.headers.some(([n]) => n.toLowerCase() === "x-envoy-upstream-service-time");
      assert.equal(/x-envoy-upstream-service-time/i.test(out), fromApp, `${r.id}: answered by the app again, as in the run`);
    }
  } finally {
    await stack.stop();
  }
});
