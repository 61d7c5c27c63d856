import type { EnvoyConfigInput } from "../envoy/index.ts";

/** `server` header an Istio (ASM) ingress gateway sends. */
export const ISTIO_SERVER_NAME = "istio-envoy";

/**
 * How an Istio ingress gateway runs a WasmPlugin with `phase: AUTHN`, as Envoy options for the stand-in, matched
 * to what a real istiod (1.31, `npm run istio`) generated for the same WasmPlugin (its gateway's config_dump):
 * - Host-based routing: a virtual host for the gateway's host (`host` and `host:*`, as Istio generates it);
 *   any other Host gets 404 from Envoy, as on a gateway.
 * - Filter order: the wasm filter first, then the filters istiod puts on every gateway listener (grpc_stats,
 *   fault, cors), then the router. A gateway gets authentication / authorization filters (jwt_authn, rbac) only
 *   when a RequestAuthentication / AuthorizationPolicy selects it: with none, phase AUTHN's plug-in is simply first.
 * - The wasm filter is named as istiod names it: HTTP filter `extensions.istio.io/trafficextension/<namespace>.
 *   <name>~istio-translated-wasmplugin` (its ECDS resource), wasm config `<namespace>.<name>~istio-translated-wasmplugin`,
 *   failure_policy FAIL_CLOSED, pluginConfig as canonical JSON in a StringValue.
 * Not imitated: ECDS itself (the stand-in's config is static), the agent's fail-closed RBAC fallback.
 */
export function istioGatewayEnvoyOptions(hosts: readonly string[], plugin: { namespace: string; name: string }): Pick<
  EnvoyConfigInput,
  "domains" | "filtersAfterWasm" | "pluginName" | "serverName" | "istioWasm"
> {
  const configName = `${plugin.namespace}.${plugin.name}~istio-translated-wasmplugin`;
  return {
    serverName: ISTIO_SERVER_NAME,
    domains: hosts.flatMap((h) => [h, `${h}:*`]),
    pluginName: configName,
    istioWasm: { filterName: `extensions.istio.io/trafficextension/${configName}` },
    filtersAfterWasm: [
      {
        name: "envoy.filters.http.grpc_stats",
        typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig", emit_filter_state: true, stats_for_all_methods: false },
      },
      { name: "envoy.filters.http.fault", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault" } },
      { name: "envoy.filters.http.cors", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors" } },
    ],
  };
}
