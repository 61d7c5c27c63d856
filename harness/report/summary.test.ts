import assert from "node:assert/strict";
import { test } from "node:test";
import { environmentProperties, suiteOf } from "./summary.ts";

test("suite is the first folder under suites/", () => {
  assert.equal(suiteOf("conformance/seed-rule.spec.ts"), "conformance");
  assert.equal(suiteOf("top.spec.ts"), "default");
});

test("environment.properties puts each fact on one line", () => {
  assert.equal(environmentProperties({ "wasm source": "a\nb", x: "1" }), "wasm\\ source=a b\nx=1\n");
  assert.equal(environmentProperties({ k: "C:\\x …" }), "k=C:\\\\x \\u2026\n");
});
