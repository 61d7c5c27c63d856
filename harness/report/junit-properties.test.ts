import assert from "node:assert/strict";
import { test } from "node:test";
import { withSuiteProperties } from "./junit-properties.ts";

const xml = `<testsuites tests="2">
<testsuite name="conformance/seed-rule.spec.ts" tests="1">
<testcase name="a"/>
</testsuite>
<testsuite name="owasp/attacks.spec.ts" tests="1">
<testcase name="b"/>
</testsuite>
<testsuite name="empty.spec.ts" tests="0"/>
</testsuites>`;

test("every non-empty testsuite gets the stack facts as its first child, escaped", () => {
  const out = withSuiteProperties(xml, { wasmSha256: "72d4", wasmSource: `built "from" <source> & Go` });
  assert.equal(out.match(/<properties>/g)?.length, 2);
  assert.match(out, /<testsuite name="owasp\/attacks.spec.ts" tests="1">\n<properties>\n<property name="wasmSha256" value="72d4"\/>/);
  assert.match(out, /value="built &quot;from&quot; &lt;source&gt; &amp; Go"/);
  assert.match(out, /<testsuite name="empty.spec.ts" tests="0"\/>/, "a self-closing suite is left alone");
});

test("no facts, no change", () => assert.equal(withSuiteProperties(xml, {}), xml));
