import assert from "node:assert/strict";
import { test } from "node:test";
import { ENVOY_VERSION } from "./versions.ts";
import { UserError } from "../errors.ts";
import { parseEnv } from "./env.ts";

test("WAF_ENVOY_VERSION defaults to the pinned Envoy and takes another release", () => {
  assert.equal(parseEnv({}).WAF_ENVOY_VERSION, ENVOY_VERSION);
  assert.equal(parseEnv({ WAF_ENVOY_VERSION: "1.38.2" }).WAF_ENVOY_VERSION, "1.38.2");
});

test("a WAF_ENVOY_VERSION that is not 1.NN.N is one line naming the value", () => {
  for (const value of ["v1.40.0", "1.40", "latest", "1.36.2.post1", "1.40.0 "]) {
    assert.throws(() => parseEnv({ WAF_ENVOY_VERSION: value }), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, `WAF_ENVOY_VERSION=${value}: expected an Envoy release like ${ENVOY_VERSION}`);
      return true;
    });
  }
});
