import { istioGatewayEnvoyOptions } from "../asm/index.ts";
import { renderEnvoyConfig } from "../envoy/index.ts";
import type { CorazaPluginConfig } from "../manifest/index.ts";
import { compareDelivery, type DeliveredPlugin, type StandinShape } from "./delivery.ts";

/** The stand-in gateway's filter chain and wasm config for this plug-in, read from the Envoy config it renders. */
export function standinShape(plugin: { namespace: string; name: string }, pluginConfig: CorazaPluginConfig): StandinShape {
  const options = istioGatewayEnvoyOptions(["app.example.test"], plugin);
  const config = renderEnvoyConfig({ ...options, pluginConfig, wasmPath: "/plugin.wasm", upstream: { host: "upstream", port: 8080 }, ports: { waf: 1, baseline: 2, admin: 3 } }) as {
    static_resources: { listeners: Array<{ name: string; filter_chains: Array<{ filters: Array<{ typed_config: { http_filters: Array<{ name: string; typed_config: { config?: Record<string, unknown> } }> } }> }> }> };
  };
  const filters = config.static_resources.listeners.find((l) => l.name === "waf")!.filter_chains[0]!.filters[0]!.typed_config.http_filters;
  const wasm = filters.find((f) => f.typed_config.config?.vm_config !== undefined)!;
  const c = wasm.typed_config.config as { name: string; root_id?: string; fail_open?: boolean; failure_policy?: string; vm_config: { vm_id?: string }; configuration: { value: string } };
  return {
    httpFilters: filters.map((f) => f.name),
    filterName: wasm.name,
    wasmConfigName: c.name,
    vmId: c.vm_config.vm_id ?? "-",
    rootId: c.root_id ?? "-",
    failurePolicy: c.failure_policy ?? (c.fail_open ? "fail_open" : "-"),
    pluginConfig: c.configuration.value,
  };
}

/** Lines for the terminal: real Istio's delivery beside the stand-in's, differing aspects marked. */
export function compareWithStandin(d: DeliveredPlugin | undefined, plugin: { namespace: string; name: string }, pluginConfig: CorazaPluginConfig): string[] {
  const rows = compareDelivery(d, standinShape(plugin, pluginConfig));
  if (rows.length === 0) return [];
  return ["real Istio beside the stand-in (npm run asm -- standin):", ...rows.map((r) => `  ${r.same ? "  " : "≠ "}${r.aspect}: Istio ${r.istio} | stand-in ${r.standin}`)];
}
