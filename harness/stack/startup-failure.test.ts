import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../errors.ts";
import { explainEnvoyFailure } from "./startup-failure.ts";

test("invalid SecLang becomes one line naming the manifest and Coraza's complaint", () => {
  const log = `[2026-11-26 20:44:07.577][1][critical][wasm] [source/extensions/common/wasm/context.cc:1160] wasm log coraza: Failed to parse directives: invalid WAF config from string: failed to compile the directive "secrule": operator streqq not found
[2026-11-26 20:44:07.619][1][critical][main] [source/server/server.cc:449] error initializing config`;
  const error = explainEnvoyFailure(new Error("Container exited"), log, "bad.yaml");
  assert.ok(error instanceof UserError);
  assert.equal(error.message, 'bad.yaml: the Coraza plug-in rejected the directives: Failed to parse directives: invalid WAF config from string: failed to compile the directive "secrule": operator streqq not found');
});

test("a start-up that just timed out is one line with the infrastructure exit status", () => {
  const error = explainEnvoyFailure(new Error("URL /ready not accessible after 180000ms\n    at stack"), "nothing useful", "m.yaml");
  assert.ok(error instanceof UserError);
  assert.equal(error.message, "Envoy did not become ready: URL /ready not accessible after 180000ms");
  assert.equal(error.exitCode, 4);
});
