// What Istio delivered, read from a gateway's config_dump: the shapes below are trimmed from a real one (npm run
// istio, istiod 1.31-dev, Envoy 1.40) and from istio-agent's fallback for a module it could not fetch.
import assert from "node:assert/strict";
import { test } from "node:test";
import { agentRefusals, compareDelivery, deliveredPlugin, describeDelivery } from "./delivery.ts";
import { meshResources } from "./resources.ts";

const PLUGIN = { namespace: "istio-system", name: "coraza-proxy-wasm" };
const NAME = "extensions.istio.io/trafficextension/istio-system.coraza-proxy-wasm~istio-translated-wasmplugin";
const CONFIG = '{"default_directives":"default","directives_map":{"default":["SecRuleEngine On"]}}';

function dump(typed: Record<string, unknown> | undefined, active = true) {
  const listener = {
    name: "127.0.0.1_8080",
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
              http_filters: [
                { name: NAME, config_discovery: { config_source: { ads: {}, initial_fetch_timeout: "0s" }, type_urls: ["type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"] } },
                { name: "envoy.filters.http.grpc_stats" },
                { name: "envoy.filters.http.router" },
              ],
            },
          },
        ],
      },
    ],
  };
  return {
    configs: [
      { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", dynamic_listeners: [{ name: listener.name, [active ? "active_state" : "warming_state"]: { listener } }] },
      ...(typed ? [{ "@type": "type.googleapis.com/envoy.admin.v3.EcdsConfigDump", ecds_filters: [{ ecds_filter: { name: NAME, typed_config: typed } }] }] : []),
    ],
  };
}

const WASM = {
  "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
  config: {
    name: "istio-system.coraza-proxy-wasm~istio-translated-wasmplugin",
    vm_config: { runtime: "envoy.wasm.runtime.v8", code: { local: { filename: "/var/lib/istio/data/abc/def.wasm" } } },
    configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: CONFIG },
    failure_policy: "FAIL_CLOSED",
  },
};
const DENY = { "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC", rules: {}, rules_stat_prefix: "wasm-default-deny" };
const ALLOW = { "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC", rules_stat_prefix: "wasm-default-allow" };

test("the plug-in as delivered: istiod's filter name, its place, failure policy, pluginConfig, the agent's local file", () => {
  const d = deliveredPlugin(dump(WASM), PLUGIN)!;
  assert.equal(d.filterName, NAME);
  assert.equal(d.position, 0);
  assert.deepEqual(d.httpFilters, [NAME, "envoy.filters.http.grpc_stats", "envoy.filters.http.router"]);
  assert.equal(d.running, "wasm");
  assert.equal(d.wasm?.failurePolicy, "FAIL_CLOSED");
  assert.equal(d.wasm?.pluginConfig, CONFIG);
  assert.equal(d.wasm?.code, "/var/lib/istio/data/abc/def.wasm");
  assert.deepEqual(describeDelivery(d, [], PLUGIN).findings, []);
});

test("istio-agent's fallbacks are told apart: deny-all (fail closed) and allow-all (fail open) are findings", () => {
  const deny = deliveredPlugin(dump(DENY), PLUGIN)!;
  assert.equal(deny.running, "deny-all fallback (RBAC)");
  assert.match(describeDelivery(deny, [], PLUGIN).findings.join("\n"), /deny-all fallback .* every request gets 403 \(fail closed\)/);
  const allow = deliveredPlugin(dump(ALLOW), PLUGIN)!;
  assert.equal(allow.running, "allow-all fallback (RBAC)");
  assert.match(describeDelivery(allow, [], PLUGIN).findings.join("\n"), /no request is inspected \(fail open\)/);
});

test("nothing delivered yet, a listener still warming, or another plug-in's name: not the plug-in", () => {
  assert.equal(deliveredPlugin(dump(undefined), PLUGIN)?.running, "nothing yet");
  assert.equal(deliveredPlugin(dump(WASM, false), PLUGIN), undefined, "a warming listener does not serve yet");
  assert.equal(deliveredPlugin(dump(WASM), { namespace: "istio-system", name: "coraza" }), undefined, "coraza is not coraza-proxy-wasm");
  assert.match(describeDelivery(undefined, [], PLUGIN).findings[0]!, /no HTTP filter for WasmPlugin istio-system\/coraza-proxy-wasm/);
});

test("istio-agent's refusals are its own log words, once each", () => {
  const line =
    "2026-12-04T19:57:50.559566Z\terror\twasm\terror in converting the wasm config to local: cannot fetch Wasm module oci://r/w:1: unauthorized. applying deny RBAC filter";
  assert.deepEqual(agentRefusals(`x\n${line}\n${line}\ny`), ["error in converting the wasm config to local: cannot fetch Wasm module oci://r/w:1: unauthorized. applying deny RBAC filter"]);
});

test("beside the stand-in: the same JSON serialized differently is told apart from byte for byte", () => {
  const d = deliveredPlugin(dump(WASM), PLUGIN)!;
  const base = { httpFilters: [NAME, "envoy.filters.http.router"], filterName: NAME, wasmConfigName: "istio-system.coraza-proxy-wasm~istio-translated-wasmplugin", vmId: "-", rootId: "-", failurePolicy: "FAIL_CLOSED" };
  const same = compareDelivery(d, { ...base, pluginConfig: CONFIG });
  assert.ok(same.find((r) => r.aspect === "pluginConfig")!.same);
  assert.ok(same.find((r) => r.aspect === "plug-in filter name")!.same);
  const reordered = compareDelivery(d, { ...base, pluginConfig: '{"directives_map":{"default":["SecRuleEngine On"]},"default_directives":"default"}' });
  assert.match(reordered.find((r) => r.aspect === "pluginConfig")!.istio, /same JSON value, serialized differently/);
  assert.ok(!reordered.find((r) => r.aspect === "HTTP filters")!.same);
});

test("the mesh: the Gateway binds 127.0.0.1 and selects the gateway's labels; httpbin is a STATIC ServiceEntry on 127.0.0.1", () => {
  const text = meshResources({ namespace: "istio-system", serviceAccount: "gw", labels: { istio: "ingressgateway" }, host: "app.test", gatewayPort: 1234, httpbinPort: 5678 });
  assert.match(text, /bind: 127\.0\.0\.1/);
  assert.match(text, /selector:\n\s+istio: ingressgateway/);
  assert.match(text, /resolution: STATIC/);
  assert.match(text, /address: 127\.0\.0\.1/);
  assert.match(text, /number: 5678/);
});
