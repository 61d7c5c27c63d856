import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fakeRecord } from "../engine/test-records.ts";
import { UserError } from "../errors.ts";
import { allureResultOf, allureStatusOf } from "./allure-records.ts";
import { junitXml } from "./junit.ts";
import { detectionOf, staleExceptions, suiteCounts, verdictsFileOf } from "./record-views.ts";
import { mergeSummarySections, readSummary } from "./summary-store.ts";

const gap = { id: "sqli-001", reason: "known gap", date: "2026-11-26", source: "payloads/exceptions.yaml" };
const records = [
  fakeRecord({ id: "a" }),
  fakeRecord({ id: "b", verdict: "allowed", judgement: "bypass", fails: true, message: "WAF bypass: the attack reached the app (HTTP 200)" }),
  fakeRecord({ id: "c", verdict: "infra", judgement: "infra", fails: true, message: "infrastructure error, not a WAF verdict (ECONNRESET: x)" }),
  fakeRecord({ id: "d", verdict: "allowed", judgement: "accepted-gap", acceptedGap: gap, message: "reached the app: accepted gap (exceptions.yaml)" }),
  fakeRecord({ id: "e", expect: "allow", verdict: "allowed", judgement: "true-negative" }),
  fakeRecord({ id: "f", suite: "conformance", verdict: "blocked", judgement: "true-positive" }),
];

test("every view counts the same records the same way", () => {
  assert.deepEqual(suiteCounts(records, [{ suite: "owasp", title: "t", status: "skipped", requests: 3, reason: "class not allowed" }]), {
    owasp: { passed: 2, failed: 1, skipped: 4, infra: 1 }, // the accepted gap is skipped with its reason, never passed
    conformance: { passed: 1, failed: 0, skipped: 0, infra: 0 },
  });
  const detection = detectionOf(records, 1)!;
  assert.equal(detection.attacks, 3, "infra and conformance are not attacks judged");
  assert.equal(detection.blocked, 1);
  assert.equal(detection.bypassed, 1);
  assert.equal(detection.acceptedGaps, 1);
  assert.equal(detection.infra, 1);
  const verdicts = verdictsFileOf(records, { generatedAt: "t", target: { name: "local", url: "u" }, manifest: "m", pluginConfigSha256: "h", stack: null });
  assert.deepEqual(Object.keys(verdicts.requests), ["a", "b", "c", "d", "e", "f"]);
  assert.deepEqual(verdicts.requests.b, { verdict: "allowed", test: records[1]!.title, expect: "block", judgement: "bypass", kind: "bypass", status: 403, rules: [942100, 949110], reproducer: records[1]!.sent.reproducer });
  const xml = junitXml(records, [], { wasmSha256: "abc" });
  assert.match(xml, /<testsuites name="wafcheck" tests="6" failures="1" errors="1" skipped="1"/);
  assert.match(xml, /<skipped message="Accepted gap \(attack reached the app\): reached the app: accepted gap/);
  assert.match(xml, /<property name="wasmSha256" value="abc"\/>/);
  assert.deepEqual(records.map(allureStatusOf), ["passed", "failed", "broken", "failed", "passed", "passed"]);
});

test("an accepted gap whose requests are all blocked again is stale", () => {
  const blocked = fakeRecord({ id: "g", acceptedGap: gap });
  assert.deepEqual(staleExceptions([blocked]), [{ ...gap, blocked: 1 }]);
  assert.deepEqual(staleExceptions([blocked, records[3]!]), [], "one request still reaches the app");
});

test("JUnit and Allure carry payload bytes safely and replay text as recorded", () => {
  const nul = fakeRecord({ id: "n\u0000<x>", message: "m & \u0001" });
  const xml = junitXml([nul], [], {});
  assert.match(xml, /name="n\\x00&lt;x&gt;: /);
  assert.doesNotMatch(xml, /\u0000|\u0001/);
  const result = allureResultOf(nul, "local");
  assert.equal(result.attachments[0]!.content, "curl …\n");
  assert.ok(result.attachments.some((a) => a.name === "record.json"));
});

test("summary.json: sections merge, a corrupt file stops everything and stays as it was", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-summary-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "summary.json");
  assert.equal(await readSummary(path), undefined);
  await writeFile(path, JSON.stringify({ latency: { n: 1 }, suites: { old: {} } }));
  await mergeSummarySections(path, { suites: {} });
  assert.deepEqual(JSON.parse(await readFile(path, "utf8")), { latency: { n: 1 }, suites: {} });
  await writeFile(path, "{ not json");
  await assert.rejects(mergeSummarySections(path, { suites: {} }), (e: Error) => e instanceof UserError && /summary\.json is corrupt .* left as it is/.test(e.message));
  assert.equal(await readFile(path, "utf8"), "{ not json");
});
