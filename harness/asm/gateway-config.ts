import type { EnvoyConfigInput } from "../envoy/index.ts";

/** `server` header an Istio (ASM) ingress gateway sends. */
export const ISTIO_SERVER_NAME = "istio-envoy";

/**
 * How an Istio ingress gateway runs a WasmPlugin with `phase: AUTHN`, as Envoy options for the stand-in:
 * - Host-based routing: a virtual host for the gateway's host (`host` and `host:*`, as Istio generates it);
 *   any other Host gets 404 from Envoy, as on a gateway.
 * - Filter order: the wasm filter first, then the authentication filter (jwt_authn, here with no providers,
 *   so it lets every request through), then authorization (rbac, allow-all), then the router.
 * - The wasm filter is named `<namespace>.<name>` and gets pluginConfig as a JSON string (StringValue).
 */
export function istioGatewayEnvoyOptions(hosts: readonly string[], plugin: { namespace: string; name: string }): Pick<
  EnvoyConfigInput,
  "domains" | "filtersAfterWasm" | "pluginName" | "serverName"
> {
  return {
    serverName: ISTIO_SERVER_NAME,
    domains: hosts.flatMap((h) => [h, `${h}:*`]),
    pluginName: `${plugin.namespace}.${plugin.name}`,
    filtersAfterWasm: [
      {
        name: "envoy.filters.http.jwt_authn",
        typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication", providers: {} },
      },
      {
        name: "envoy.filters.http.rbac",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
          rules: { action: "ALLOW", policies: { "allow-all": { permissions: [{ any: true }], principals: [{ any: true }] } } },
        },
      },
    ],
  };
}
