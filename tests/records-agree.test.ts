// One record per request: on a real run that holds blocked, allowed, changed-by-proxy, accepted-gap and infra
// requests, verdicts.json, summary.json, junit.xml and the Allure results say the same thing about each request.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

const INFRA_CASE = `defaults:
  class: benign
  owasp2025: A05:2025
  owasp2021: A03:2021
  cwe: CWE-693
  severity: normal
  expect: allow
cases:
  - id: wafcheck-test-infra-001
    title: The app fails with HTTP 503, an infrastructure error and never a verdict
    request:
      path: /status/503
`;

interface Verdicts {
  requests: Record<string, { verdict: string; judgement: string; rules: number[]; status?: number }>;
}

test("verdicts.json, summary.json, junit.xml and Allure agree on every request of a real run", async () => {
  const extra = await tempDir("wafcheck-payloads-");
  await writeFile(join(extra, "infra.yaml"), INFRA_CASE);
  const reports = await tempReports();
  const slice = "conformance|(?<![\\w-])sqli-001/|log4shell-001/header:Referer|proto-007|xxe-001|wafcheck-test-infra";
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_PAYLOADS: extra, WAF_LATENCY_PROBE: "off" }, ["--", "--grep", slice]);
  assert.equal(run.code, 1, `the infra request fails the run\n${run.stderr.slice(-2000)}`);

  const verdicts = JSON.parse(readFileSync(join(reports, "verdicts.json"), "utf8")) as Verdicts;
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  const ids = Object.keys(verdicts.requests);
  const judgements = Object.values(verdicts.requests).map((r) => r.judgement);
  for (const j of ["true-positive", "true-negative", "changed-by-proxy", "accepted-gap", "infra"]) assert.ok(judgements.includes(j), `the run holds a ${j} request: ${judgements.join(",")}`);
  assert.ok(ids.every((id) => /^(conformance\/|sqli-001\/|log4shell-001\/header:Referer|proto-007|xxe-001|wafcheck-test-infra)/.test(id)), "--grep selected single requests");

  // summary.json counts the same requests.
  const suites = summary.suites as Record<string, { passed: number; failed: number; skipped: number; infra: number }>;
  const total = Object.values(suites).reduce((n, c) => n + c.passed + c.failed + c.skipped + c.infra, 0);
  assert.equal(total, ids.length);
  assert.equal(summary.run.records, ids.length);
  const count = (j: string, prefix = "") => Object.entries(verdicts.requests).filter(([id, r]) => r.judgement === j && id.startsWith(prefix)).length;
  const corpus = (j: string) => count(j) - Object.entries(verdicts.requests).filter(([id, r]) => r.judgement === j && id.startsWith("conformance/")).length;
  assert.equal(summary.detection.blocked, corpus("true-positive"));
  assert.equal(summary.detection.changedByProxy, corpus("changed-by-proxy"));
  assert.equal(summary.detection.acceptedGaps, corpus("accepted-gap"));
  assert.equal(summary.detection.infra, corpus("infra"));
  assert.equal(suites["false-positives"]!.infra, 1);

  // junit.xml: one testcase per request; errors are the infra requests.
  const junit = readFileSync(join(reports, "junit.xml"), "utf8");
  assert.equal((junit.match(/<testcase /g) ?? []).length, ids.length);
  assert.match(junit, new RegExp(`<testsuites name="wafcheck" tests="${ids.length}" failures="0" errors="${count("infra")}" skipped="${count("accepted-gap") + count("changed-by-proxy") + count("rejected-by-proxy")}"`));

  // Allure: one result per request, its status following the record's kind (an attack that reached the app is failed).
  const results = join(reports, "allure-results");
  const byId = new Map<string, { status: string; attachments: Array<{ name: string; source: string }> }>();
  for (const f of readdirSync(results).filter((f) => f.endsWith("-result.json"))) {
    const r = JSON.parse(readFileSync(join(results, f), "utf8"));
    if (!/^wafcheck:(owasp|false-positives|conformance):/.test(String(r.historyId))) continue; // the verdict overview, latency
    const id = String(r.historyId).replace(/^wafcheck:[^:]+:/, "");
    assert.ok(!byId.has(id), `one Allure result for ${id}`);
    byId.set(id, r);
  }
  assert.deepEqual([...byId.keys()].sort(), [...ids].sort());
  const expected: Record<string, string> = { "true-positive": "passed", "true-negative": "passed", infra: "broken", "accepted-gap": "failed", "changed-by-proxy": "failed", "rejected-by-proxy": "skipped" };
  for (const [id, v] of Object.entries(verdicts.requests)) assert.equal(byId.get(id)!.status, expected[v.judgement], `${id}: ${v.judgement}`);

  // Matched rules come from the WAF's own log, per request: the banned header's block names rule 101.
  assert.ok(verdicts.requests["conformance/banned"]!.rules.includes(101), JSON.stringify(verdicts.requests["conformance/banned"]));
  assert.deepEqual(verdicts.requests["conformance/direct-upstream"]!.rules, [], "a request that bypassed Envoy has no WAF lines");

  // A cookie attack's reproducer replays the attack: the payload is there, not [REDACTED].
  const cookie = byId.get("sqli-001/cookie/none")!;
  const replay = readFileSync(join(results, cookie.attachments.find((a) => a.name === "request (replay)")!.source), "utf8");
  assert.match(replay, /Cookie: [^']*'\\''\s?OR '\\''1'\\''='\\''1/);
  assert.doesNotMatch(replay, /REDACTED/);
});
