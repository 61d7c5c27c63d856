import assert from "node:assert/strict";
import { test } from "node:test";
import { suiteOf } from "./summary.ts";

test("suite is the first folder under suites/", () => {
  assert.equal(suiteOf("conformance/seed-rule.spec.ts"), "conformance");
  assert.equal(suiteOf("top.spec.ts"), "default");
});
