import assert from "node:assert/strict";
import { test } from "node:test";
import { ENVOY_PORTS, PROTOCOL_HEADER, REFLECTOR_HEADER, REFLECTOR_VALUE, renderEnvoyConfig } from "./envoy-config.ts";

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

test("the TLS listener runs the waf listener's filters behind TLS, offers h2 and http/1.1, and says which one each answer used", () => {
  const tls = renderEnvoyConfig({ pluginConfig, wasmPath: "/w", upstream: { host: "h", port: 1 }, ports: ENVOY_PORTS, tls: { port: ENVOY_PORTS.tls, baselinePort: ENVOY_PORTS.tlsBaseline, certPem: "CERT", keyPem: "KEY" } });
  type Listener = { name: string; filter_chains: Array<{ transport_socket?: { typed_config: { common_tls_context: { alpn_protocols: string[] } } }; filters: Array<{ typed_config: Record<string, unknown> & { http_filters: Array<{ name: string }> } }> }> };
  const listeners = (tls.static_resources as { listeners: Listener[] }).listeners;
  const chain = listeners.find((l) => l.name === "waf-tls")!.filter_chains[0]!;
  assert.deepEqual(chain.filters[0]!.typed_config.http_filters.map((f) => f.name), ["envoy.filters.http.wasm", "envoy.filters.http.router"]);
  assert.deepEqual(chain.transport_socket!.typed_config.common_tls_context.alpn_protocols, ["h2", "http/1.1"]);
  const hcm = JSON.stringify(chain.filters[0]!.typed_config);
  // On the route's answers and on Envoy's own (the WAF's 403s): both carry the protocol.
  assert.equal(hcm.split(`"key":"${PROTOCOL_HEADER}","value":"%PROTOCOL%"`).length - 1, 2);
  assert.equal(listeners.length, 4);
  const baseline = listeners.find((l) => l.name === "baseline-tls")!.filter_chains[0]!;
  assert.deepEqual(baseline.filters[0]!.typed_config.http_filters.map((f) => f.name), ["envoy.filters.http.router"]);
  assert.ok(!text.includes("waf-tls"), "no TLS listener unless asked for");
});

test("the manifest's vmConfig.env reaches the VM as vm_config.environment_variables; none by default", () => {
  const vmConfigOf = (c: Record<string, unknown>) => JSON.parse(JSON.stringify(c)).static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.vm_config;
  assert.equal(vmConfigOf(config).environment_variables, undefined);
  const gcOff = renderEnvoyConfig({ pluginConfig, wasmPath: "/w", upstream: { host: "h", port: 1 }, ports: ENVOY_PORTS, vmEnv: { GOGC: "off" } });
  assert.deepEqual(vmConfigOf(gcOff).environment_variables, { key_values: { GOGC: "off" } });
});

test("with a reflector, a request carrying the reflector header goes to it whatever its path (under /openapi/); others keep their routes", () => {
  const withReflector = renderEnvoyConfig({ pluginConfig, wasmPath: "/w", upstream: { host: "h", port: 1 }, ports: ENVOY_PORTS, reflector: { host: "albedo", port: 8080 } });
  type Route = { match: { prefix: string; headers?: Array<{ name: string; string_match: { exact: string } }> }; route: { cluster: string; prefix_rewrite?: string } };
  const listeners = (withReflector.static_resources as { listeners: Array<{ name: string; filter_chains: Array<{ filters: Array<{ typed_config: { route_config: { virtual_hosts: Array<{ routes: Route[] }> } } }> }> }> }).listeners;
  const routes = listeners.find((l) => l.name === "waf")!.filter_chains[0]!.filters[0]!.typed_config.route_config.virtual_hosts[0]!.routes;
  assert.deepEqual(routes.map((r) => [r.match.prefix, r.match.headers?.[0]?.name ?? "", r.route.cluster, r.route.prefix_rewrite ?? ""]), [
    ["/", REFLECTOR_HEADER, "reflector", "/openapi/"],
    ["/reflect", "", "reflector", ""],
    ["/", "", "upstream", ""],
  ]);
  assert.equal(routes[0]!.match.headers![0]!.string_match.exact, REFLECTOR_VALUE);
  assert.ok(!text.includes(REFLECTOR_HEADER), "no reflector: no such route");
});
