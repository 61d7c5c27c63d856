// npm run ftw on real CRS regression test files against the real stack (Envoy + plug-in + httpbin + albedo):
// passing, ignored, no_expect_ids, expect_error and response-phase tests, and a mutated expectation that must fail.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { crsTestsDir } from "../harness/ftw/index.ts";
import { loadManifest } from "../harness/manifest/index.ts";
import { startLocalStack } from "../harness/stack/index.ts";
import { ROOT, runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

const FILES = [
  "REQUEST-920-PROTOCOL-ENFORCEMENT/920100.yaml", // no_expect_ids, explicit statuses, and tests the plug-in's Envoy ignore list skips
  "REQUEST-920-PROTOCOL-ENFORCEMENT/920430.yaml", // expect_error
  "REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml", // expect_ids
  "RESPONSE-951-DATA-LEAKAGES-SQL/951110.yaml", // response phase, through albedo's /reflect
  "REQUEST-941-APPLICATION-ATTACK-XSS/941110.yaml", // 941110-8: non-ASCII in a header, sent as UTF-8 bytes as go-ftw sends it
  "RESPONSE-980-CORRELATION/980170.yaml", // CRS's phase-5 rule, logged after wafcheck's correlation end line
];

interface Results {
  tests: number;
  passed: number;
  failed: number;
  ignored: number;
  results: Array<{ id: string; outcome: string; reasons: string[]; stages: Array<{ rules: number[]; reproducer: string }> }>;
}

test("npm run ftw: real CRS test files pass, ignored ones are listed with reasons, a mutated expectation fails", async () => {
  const source = await crsTestsDir("4.14.0");
  const dir = await tempDir("wafcheck-ftw-");
  for (const f of FILES) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    cpSync(join(source, f), join(dir, f));
  }
  // The mutation: 942100-1 now expects a rule that cannot match.
  const mutated = join(dir, "REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml");
  writeFileSync(mutated, readFileSync(mutated, "utf8").replace("expect_ids: [942100]", "expect_ids: [942100, 999998]"));
  const reports = await tempReports();
  const run = await runCli("ftw", { WAF_REPORTS_DIR: reports, WAF_KEEP_LOGS: "on" }, [dir]);
  assert.equal(run.code, 1, run.stderr.slice(-2000));
  const results = JSON.parse(readFileSync(join(reports, "ftw-results.json"), "utf8")) as Results;
  const by = new Map(results.results.map((r) => [r.id, r]));
  assert.equal(by.get("942100-1")!.outcome, "failed");
  assert.match(by.get("942100-1")!.reasons.join(), /expected rule\(s\) 999998 not matched/);
  assert.equal(results.failed, 1, JSON.stringify(results.results.filter((r) => r.outcome === "failed")));
  assert.equal(by.get("942100-2")!.outcome, "passed");
  assert.ok(by.get("942100-2")!.stages[0]!.rules.includes(942100), "matched rules come from the WAF's own log");
  assert.equal(by.get("920100-4")!.outcome, "ignored");
  assert.match(by.get("920100-4")!.reasons[0]!, /coraza-proxy-wasm ftw\/ftw\.yml/);
  assert.equal(by.get("920100-1")!.outcome, "passed", "no_expect_ids");
  assert.ok([...by.keys()].some((id) => id.startsWith("920430-") && by.get(id)!.outcome === "passed"));
  assert.equal(by.get("951110-1")!.outcome, "passed", "response phase through albedo");
  assert.equal(by.get("941110-8")!.outcome, "passed", "fullwidth ＜script＞ in a cookie name reaches the WAF (Envoy answered 400 to the latin1 bytes)");
  assert.match(by.get("941110-8")!.stages[0]!.reproducer, /Cookie: \\357\\274\\234script/, "the replay sends the same UTF-8 bytes");
  assert.deepEqual(["980170-1", "980170-2", "980170-3"].map((id) => by.get(id)!.outcome), ["passed", "passed", "passed"]);
  assert.ok(by.get("980170-2")!.stages[0]!.rules.includes(980170));
  // WAF_KEEP_LOGS=on keeps the ftw stack's Envoy log beside the reports.
  assert.match(readFileSync(join(reports, "ftw-envoy.log"), "utf8"), /\[id "980170"\]/);
  assert.match(by.get("942100-2")!.stages[0]!.reproducer, /\| nc -w 5 127\.0\.0\.1 \d+$/);
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  assert.equal(summary.ftw.tests, results.tests);
  assert.equal(summary.ftw.passed + summary.ftw.failed + summary.ftw.ignored + summary.ftw.undecidable, results.tests);
  assert.ok(summary.ftw.testsPerSecond > 0);
  assert.match(run.stdout, new RegExp(`^${summary.ftw.passed} passed, 1 failed$`, "m"));
  const junit = readFileSync(join(reports, "ftw-junit.xml"), "utf8");
  assert.match(junit, new RegExp(`<testsuites name="wafcheck ftw" tests="${results.tests}" failures="1" errors="0" skipped="${results.ignored}"`));
  assert.match(junit, /<testcase name="942100-1: [^"]*" classname="crs\.REQUEST-942-APPLICATION-ATTACK-SQLI\.942100"><failure type="rule-difference"/);
});

test("a malformed ftw file: one line naming file, test and field, exit 2, earlier reports kept", async () => {
  const dir = await tempDir("wafcheck-ftw-bad-");
  writeFileSync(join(dir, "900001.yaml"), `rule_id: 900001\ntests:\n  - test_id: 7\n    stages:\n      - input: { method: GET, uri: /, headres: { Host: localhost } }\n        output: { log: { expect_ids: [1] } }\n`);
  const reports = await tempReports();
  writeFileSync(join(reports, "summary.json"), '{"schemaVersion":1,"earlier":true}\n');
  const run = await runCli("ftw", { WAF_REPORTS_DIR: reports }, [dir]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^wafcheck: .*900001\.yaml: test 7: stages\.0\.input: Unrecognized key: "headres"/m);
  assert.equal(readFileSync(join(reports, "summary.json"), "utf8"), '{"schemaVersion":1,"earlier":true}\n');
});

test("npm run ftw against a gateway in blocking mode: status only, and what a status cannot decide is undecidable, never passed", async () => {
  const source = await crsTestsDir("4.14.0");
  const dir = await tempDir("wafcheck-ftw-remote-");
  for (const f of ["REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml", "REQUEST-922-MULTIPART-ATTACK/922130.yaml"]) cpSync(join(source, f), join(dir, f.split("/")[1]!));
  // The stand-in gateway: a stack with the project's blocking manifest (PL1), reached only through the targets file.
  const gateway = await startLocalStack({ manifest: await loadManifest(join(ROOT, "envoy-local/wasm-plugin.yaml")) });
  try {
    const targets = join(await tempDir("wafcheck-targets-"), "targets.yaml");
    writeFileSync(targets, `targets:\n  standin:\n    url: ${gateway.gatewayUrl}\n    allowlist: [127.0.0.1]\n    rateLimit: 200\n    concurrency: 8\n`);
    const reports = await tempReports();
    const run = await runCli("ftw", { WAF_REPORTS_DIR: reports, WAF_TARGET: "standin", WAF_TARGETS_FILE: targets }, [dir]);
    assert.ok(run.code === 0 || run.code === 1, run.stderr.slice(-1500));
    const results = JSON.parse(readFileSync(join(reports, "ftw-results.json"), "utf8")) as Results & { undecidable: number };
    assert.equal(results.passed + results.failed + results.ignored + results.undecidable, results.tests);
    assert.equal(results.ignored, 0, "the plug-in's local ignore list is not applied to a gateway");
    assert.ok(results.undecidable > 0, "log-regex tests cannot be decided from a status");
    assert.ok(results.passed > 5, JSON.stringify(results.results.map((r) => [r.id, r.outcome])));
    for (const r of results.results) if (r.outcome === "passed") assert.ok(r.stages.every((s) => s.rules.length === 0), "no WAF log is read from a gateway");
    const regexOnly = results.results.filter((r) => r.id.startsWith("922130-"));
    assert.ok(regexOnly.some((r) => r.outcome === "undecidable"));
    assert.match(run.stderr, /canary passed on standin/);
    // A gateway that does not run the expected config: the canary stops the run before any test is sent (exit 3).
    const other = join(await tempDir("wafcheck-manifest-"), "other-config.yaml");
    writeFileSync(other, readFileSync(join(ROOT, "envoy-local/wasm-plugin.yaml"), "utf8").replace("  namespace: istio-system\n", '  namespace: istio-system\n  annotations:\n    wafcheck.io/canary-header: "x-canary: only-in-the-candidate"\n'));
    const refused = await runCli("ftw", { WAF_REPORTS_DIR: reports, WAF_TARGET: "standin", WAF_TARGETS_FILE: targets, WAF_PLUGIN: other }, [dir]);
    assert.equal(refused.code, 3, refused.stderr.slice(-1500));
    assert.match(refused.stderr, /WAF not active or config mismatch on target standin: "x-canary: only-in-the-candidate" got HTTP 200/);
  } finally {
    await gateway.stop();
  }
});

test("npm run ftw --config / --overrides: go-ftw's ignore and force lists and a CRS platform override, shown as such", async () => {
  const source = await crsTestsDir("4.14.0");
  const dir = await tempDir("wafcheck-ftw-lists-");
  cpSync(join(source, "REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml"), join(dir, "942100.yaml"));
  const config = join(dir, "lists.ftw.yaml");
  writeFileSync(config, "logfile: /var/log/error.log\ntestoverride:\n  ignore:\n    '942100-4$': not for us\n  forcefail:\n    '942100-2$': known gap\n  forcepass:\n    '942100-3$': reviewed by hand\n");
  const overrides = join(dir, "overrides.yaml");
  // An override that asks for a rule that cannot match: the test is judged against it, so it fails, and says why.
  writeFileSync(overrides, "version: v1\nmeta: { engine: coraza, platform: envoy }\ntest_overrides:\n  - rule_id: 942100\n    test_ids: [5]\n    reason: platform differs\n    output: { log: { expect_ids: [999997] } }\n");
  const reports = await tempReports();
  const run = await runCli("ftw", { WAF_REPORTS_DIR: reports }, [join(dir, "942100.yaml"), "--config", config, "--overrides", overrides]);
  assert.equal(run.code, 1, run.stderr.slice(-2000));
  assert.match(run.stderr, /lists\.ftw\.yaml: not applied \(wafcheck does these its own way\): logfile/);
  const results = JSON.parse(readFileSync(join(reports, "ftw-results.json"), "utf8")) as Results & { forcedPass: number; forcedFail: number; overridden: number };
  const by = new Map(results.results.map((r) => [r.id, r as (typeof r & { override?: string })]));
  assert.deepEqual(["942100-2", "942100-3", "942100-4"].map((id) => by.get(id)!.outcome), ["forced-fail", "forced-pass", "ignored"]);
  assert.match(by.get("942100-3")!.reasons[0]!, /reviewed by hand \(.*lists\.ftw\.yaml: '942100-3\$'\)/);
  assert.equal(by.get("942100-3")!.stages.length, 0, "a forced result is not sent (go-ftw's semantics)");
  assert.equal(by.get("942100-5")!.outcome, "failed");
  assert.match(by.get("942100-5")!.override!, /platform differs \(.*overrides\.yaml\)/);
  assert.deepEqual([results.forcedPass, results.forcedFail, results.overridden, results.failed], [1, 1, 1, 1]);
  assert.match(run.stdout, /1 forced to pass, 1 forced to fail \(1 with overridden expectations\)/);
});

test("npm run waf with WAF_FTW: the CRS regression suite runs after the suites, into the same report and first screen", async () => {
  const source = await crsTestsDir("4.14.0");
  const dir = await tempDir("wafcheck-ftw-waf-");
  cpSync(join(source, "REQUEST-942-APPLICATION-ATTACK-SQLI/942100.yaml"), join(dir, "942100.yaml"));
  const reports = await tempReports();
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_LATENCY_PROBE: "off", WAF_FTW: `${dir} --include ^942100-[1-3]$` }, ["--", "--grep", "conformance"], 300_000);
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  assert.deepEqual([summary.ftw.tests, summary.ftw.passed], [3, 3]);
  assert.ok(summary.suites.conformance.passed > 0, "the suites ran too");
  const allure = readdirSync(join(reports, "allure-results")).filter((f) => f.endsWith("-result.json")).map((f) => readFileSync(join(reports, "allure-results", f), "utf8"));
  assert.equal(allure.filter((r) => r.includes('"wafcheck:ftw:942100-')).length, 3);
  assert.ok(allure.some((r) => r.includes('"value":"conformance"')), "one Allure results folder for both");
  assert.match(readFileSync(join(reports, "summary.md"), "utf8"), /\| CRS regression tests \(ftw\) \| 3\/3 passed, 0 failed/);
});
