import assert from "node:assert/strict";
import { test } from "node:test";
import { countSuites, environmentProperties, mergeSummary, suiteOf, type Summary } from "./summary.ts";

test("infra failures are counted apart from failures and passes", () => {
  const counts = countSuites([
    { suite: "conformance", status: "passed", infra: false },
    { suite: "conformance", status: "failed", infra: false },
    { suite: "conformance", status: "failed", infra: true },
    { suite: "owasp", status: "skipped", infra: false },
  ]);
  assert.deepEqual(counts, { conformance: { passed: 1, failed: 1, skipped: 0, infra: 1 }, owasp: { passed: 0, failed: 0, skipped: 1, infra: 0 } });
});

test("suite is the first folder under suites/", () => {
  assert.equal(suiteOf("conformance/seed-rule.spec.ts"), "conformance");
  assert.equal(suiteOf("top.spec.ts"), "default");
});

test("a new summary keeps other sections (e.g. latency) and replaces its own", () => {
  const next: Summary = { schemaVersion: 1, generatedAt: "t", target: { name: "local", url: "u" }, stack: null, suites: {} };
  const merged = mergeSummary({ latency: { n: 1 }, suites: { old: {} } }, next);
  assert.deepEqual(merged.latency, { n: 1 });
  assert.deepEqual(merged.suites, {});
});

test("environment.properties puts each fact on one line", () => {
  assert.equal(environmentProperties({ "wasm source": "a\nb", x: "1" }), "wasm_source=a b\nx=1\n");
});
