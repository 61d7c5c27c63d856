import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../errors.ts";
import { explainEnvoyFailure, PluginLoadError, pluginLoadError } from "./startup-failure.ts";

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

// Envoy's log when the standard-Go plug-in does not load, captured here (2026-11-29) with the project's
// envoy.json and `--log-level warning --component-log-level wasm:info`.
const ENVOY_1_38_3 = `[2026-11-29 16:25:28.249][1][warning][wasm] [source/extensions/common/wasm/wasm_vm.cc:102] Failed to create Wasm VM using envoy.wasm.runtime.v8 runtime. Envoy was compiled without support for it
[2026-11-29 16:25:28.249][1][error][wasm] [source/extensions/common/wasm/wasm.cc:103] Wasm VM failed Failed to load Wasm code
[2026-11-29 16:25:28.249][1][critical][wasm] [source/extensions/common/wasm/wasm.cc:616] Plugin coraza failed to load
[2026-11-29 16:25:28.249][1][critical][wasm] [source/extensions/common/wasm/wasm.cc:467] Plugin configured to fail closed failed to load
[2026-11-29 16:25:28.251][1][critical][main] [source/server/server.cc:453] error \`Unable to create Wasm plugin coraza\` initializing config 'goo.gle/debugstr    
  /etc/envoy/envoy.json'
Unable to create Wasm plugin coraza
`;
const ENVOY_1_38_2 = `[2026-11-29 16:34:21.335][1][error][wasm] [source/extensions/common/wasm/wasm_vm.cc:38] Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.fd_filestat_set_size
[2026-11-29 16:34:21.335][1][error][wasm] [source/extensions/common/wasm/wasm.cc:103] Wasm VM failed Failed to initialize Wasm code
[2026-11-29 16:34:21.353][1][critical][wasm] [source/extensions/common/wasm/wasm.cc:616] Plugin coraza failed to load
[2026-11-29 16:34:21.353][1][critical][wasm] [source/extensions/common/wasm/wasm.cc:467] Plugin configured to fail closed failed to load
[2026-11-29 16:34:21.360][1][critical][main] [source/server/server.cc:453] error \`Unable to create Wasm plugin coraza\` initializing config 'goo.gle/debugstr    
  /etc/envoy/envoy.json'
Unable to create Wasm plugin coraza
`;

test("a plug-in Envoy cannot load is a PluginLoadError carrying Envoy's first complaint and the version", () => {
  const error = explainEnvoyFailure(new Error("Envoy exited during start-up"), ENVOY_1_38_3, "m.yaml", "1.38.3");
  assert.ok(error instanceof PluginLoadError);
  assert.equal(error.envoyVersion, "1.38.3");
  assert.equal(error.envoyError, "Failed to create Wasm VM using envoy.wasm.runtime.v8 runtime. Envoy was compiled without support for it");
  assert.equal(error.message, "Envoy 1.38.3 could not load the Coraza plug-in: Failed to create Wasm VM using envoy.wasm.runtime.v8 runtime. Envoy was compiled without support for it");
  assert.equal(error.exitCode, 2);
});

test("a missing WASI import is named as Envoy names it", () => {
  const error = explainEnvoyFailure(new Error("Envoy exited during start-up"), ENVOY_1_38_2, "m.yaml", "1.38.2");
  assert.ok(error instanceof PluginLoadError);
  assert.equal(error.envoyError, "Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.fd_filestat_set_size");
});

test("the plug-in's own critical log lines (matched rules) are not a load failure", () => {
  const log = `[2026-11-29 16:25:12.204][13][critical][wasm] [source/extensions/common/wasm/context.cc:1160] wasm log coraza coraza: [client "192.168.16.1"] Coraza: Access denied (phase 1). denied by header [id "101"]
[2026-11-29 16:25:13.000][1][critical][main] [source/server/server.cc:449] error initializing config`;
  assert.equal(pluginLoadError(log), undefined);
  const error = explainEnvoyFailure(new Error("Container exited"), log, "m.yaml");
  assert.ok(!(error instanceof PluginLoadError));
  assert.equal(error.message, "Envoy failed to start: error initializing config");
});
