import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../errors.ts";
import { ftwSection, ftwExitCode } from "./ftw-report.ts";
import { ftwJunitXml } from "./junit.ts";
import { parseFtwFile } from "./load.ts";
import { applyPlatformOverrides, forcedOutcome, mergePolicies, parseFtwConfig, parsePlatformOverrides } from "./overrides.ts";
import type { FtwTestResult } from "./run.ts";

const GO_FTW_CONFIG = `---
logfile: '/home/envoy/logs/ftw.log'
testoverride:
  input:
    dest_addr: envoy
  ignore:
    '920100-4$': 'Accepted by Envoy'
    '^932161-': 'Referer removed by Envoy'
  forcefail:
    '942100-1$': 'known gap, tracked in TICKET-1'
  forcepass:
    '942100-.*': 'reviewed by hand'
`;

test("go-ftw config: id regexes with reasons, go-ftw's precedence (ignore, forcefail, forcepass), what is not applied is named", () => {
  const { policy, notApplied } = parseFtwConfig(GO_FTW_CONFIG, "my.ftw.yaml");
  assert.deepEqual(notApplied, ["logfile", "testoverride.input (the target comes from WAF_TARGET)"]);
  assert.equal(forcedOutcome("920100-4", policy)?.outcome, "ignored");
  assert.equal(forcedOutcome("920100-40", policy), undefined, "anchored by the user's own regex");
  assert.equal(forcedOutcome("932161-7", policy)?.outcome, "ignored");
  assert.deepEqual(forcedOutcome("942100-1", policy), { outcome: "forced-fail", reason: "known gap, tracked in TICKET-1 (my.ftw.yaml: '942100-1$')" });
  assert.equal(forcedOutcome("942100-2", policy)?.outcome, "forced-pass");
  assert.equal(forcedOutcome("941100-1", policy), undefined);
  const merged = mergePolicies(parseFtwConfig("testoverride:\n  ignore:\n    '^9': everything\n", "b.yaml").policy, policy);
  assert.equal(forcedOutcome("942100-1", merged)?.outcome, "ignored", "ignore wins over forcefail, whichever file said it");
});

test("go-ftw config errors: one line naming the file and field", () => {
  assert.throws(() => parseFtwConfig("testoverride:\n  ignor:\n    x: y\n", "c.yaml"), (e: Error) => e instanceof UserError && e.message === 'c.yaml: testoverride: Unrecognized key: "ignor"');
  assert.throws(() => parseFtwConfig("testoverride:\n  ignore:\n    '942(': y\n", "d.yaml"), /d\.yaml: testoverride\.ignore: '942\(' is not a regular expression/);
  assert.throws(() => parseFtwConfig("testoverride: [", "e.yaml"), /e\.yaml(:\d+)?: invalid YAML/);
});

const TESTS = parseFtwFile(
  `rule_id: 920100
tests:
  - test_id: 4
    stages:
      - input: { uri: /a }
        output: { log: { expect_ids: [920100] } }
      - input: { uri: /b }
        output: { log: { expect_ids: [920100] } }
  - test_id: 5
    stages:
      - input: { uri: /c }
        output: { status: 200 }
`,
  "REQUEST-920/920100.yaml",
);

test("platform overrides replace the named tests' (and stages') output and carry the reason", () => {
  const overrides = parsePlatformOverrides(
    `version: v1.0.0
meta: { engine: coraza, platform: envoy }
test_overrides:
  - rule_id: 920100
    test_ids: [4]
    stage_ids: [1]
    reason: Envoy answers 400 itself
    output: { status: 400 }
`,
    "envoy-overrides.yaml",
  );
  const [four, five] = applyPlatformOverrides(TESTS, overrides, "envoy-overrides.yaml");
  assert.deepEqual(four!.stages[0]!.output, { log: { expect_ids: [920100] } }, "stage ids count from 0, as go-ftw applies them");
  assert.deepEqual(four!.stages[1]!.output, { status: 400 });
  assert.equal(four!.override, "Envoy answers 400 itself (envoy-overrides.yaml)");
  assert.equal(five!.override, undefined);
  const all = applyPlatformOverrides(TESTS, parsePlatformOverrides("test_overrides:\n  - rule_id: 920100\n    reason: r\n    output: { status: 403 }\n", "f"), "f");
  assert.ok(all.every((t) => t.override && t.stages.every((s) => s.output.status === 403)), "no test_ids: every test of the rule");
  assert.throws(() => parsePlatformOverrides("test_overrides:\n  - rule_id: 1\n    reason: ''\n    output: {}\n", "g.yaml"), /g\.yaml: test_overrides\.0\.reason: every override needs a reason$/);
  assert.throws(() => parsePlatformOverrides("test_overrides:\n  - rule_id: 1\n    reason: r\n    output: { statuss: 1 }\n", "h.yaml"), /h\.yaml: test_overrides\.0\.output: Unrecognized key/);
});

test("forced outcomes are counted apart, fail the run when forced to fail, and are never shown as a pass", () => {
  const result = (id: string, outcome: FtwTestResult["outcome"]): FtwTestResult => ({
    id, file: "f.yaml", ruleFile: "REQUEST-942", ruleId: 942100, testId: 1, outcome, reasons: outcome === "passed" ? [] : ["why"], expectedIds: [], stages: outcome === "passed" ? [{ status: 200, rules: [], reproducer: "" }] : [],
  });
  const results = [result("942100-1", "passed"), result("942100-2", "forced-pass"), result("942100-3", "ignored")];
  const section = ftwSection(results, { crsVersion: "4.14.0", target: "local", seconds: 1 });
  assert.deepEqual([section.passed, section.forcedPass, section.ignored, section.forcedFail, section.testsPerSecond], [1, 1, 1, 0, 1]);
  assert.equal(ftwExitCode(section), 0);
  assert.equal(ftwExitCode(ftwSection([...results, result("942100-4", "forced-fail")], { crsVersion: "4.14.0", target: "local", seconds: 1 })), 1);
  const xml = ftwJunitXml([...results, result("942100-4", "forced-fail")], {});
  assert.match(xml, /tests="4" failures="1" errors="0" skipped="2"/);
  assert.match(xml, /942100-2: " classname="crs\.REQUEST-942\.942100"><skipped message="forced-pass: why"\/>/);
});
