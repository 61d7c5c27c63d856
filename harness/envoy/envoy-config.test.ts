import assert from "node:assert/strict";
import { test } from "node:test";
import { ENVOY_PORTS, renderEnvoyConfig } from "./envoy-config.ts";

const pluginConfig = { directives_map: { default: ["SecRuleEngine On"] }, default_directives: "default" };
const config = renderEnvoyConfig({ pluginConfig, wasmPath: "/etc/envoy/coraza.wasm", upstream: { host: "httpbin", port: 8080 }, ports: ENVOY_PORTS });
const text = JSON.stringify(config);

test("the waf listener runs the wasm filter before the router; the baseline has the router only", () => {
  const listeners = (config.static_resources as { listeners: Array<{ name: string; filter_chains: Array<{ filters: Array<{ typed_config: { http_filters: Array<{ name: string }> } }> }> }> }).listeners;
  const filters = (name: string) => listeners.find((l) => l.name === name)!.filter_chains[0]!.filters[0]!.typed_config.http_filters.map((f) => f.name);
  assert.deepEqual(filters("waf"), ["envoy.filters.http.wasm", "envoy.filters.http.router"]);
  assert.deepEqual(filters("baseline"), ["envoy.filters.http.router"]);
});

test("the plug-in gets the pluginConfig as a JSON string value, on V8, failing closed", () => {
  assert.ok(text.includes(JSON.stringify(JSON.stringify(pluginConfig))));
  assert.ok(text.includes("type.googleapis.com/google.protobuf.StringValue"));
  assert.ok(text.includes("envoy.wasm.runtime.v8"));
  assert.ok(text.includes('"fail_open":false'));
});

test("server name defaults to envoy and can mimic an Istio gateway", () => {
  assert.ok(text.includes('"server_name":"envoy"'));
  const istio = renderEnvoyConfig({ pluginConfig, wasmPath: "/w", upstream: { host: "h", port: 1 }, ports: ENVOY_PORTS, serverName: "istio-envoy" });
  assert.ok(JSON.stringify(istio).includes('"server_name":"istio-envoy"'));
});
