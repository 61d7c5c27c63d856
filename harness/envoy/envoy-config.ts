import type { CorazaPluginConfig } from "../manifest/manifest.ts";

export interface EnvoyConfigInput {
  /** The WasmPlugin's pluginConfig, passed to the plug-in exactly as Istio passes it (JSON in a StringValue). */
  pluginConfig: CorazaPluginConfig;
  /** Path of the plug-in inside the Envoy container. */
  wasmPath: string;
  upstream: { host: string; port: number };
  ports: { waf: number; baseline: number; admin: number };
  /** Value of the `server` response header (`envoy` locally, `istio-envoy` on an Istio gateway). */
  serverName?: string;
  /**
   * Istio-gateway shape (the ASM stand-in): route only these Host values (others get 404, as on a gateway
   * whose VirtualService names the host), and run these HTTP filters between the wasm filter and the router
   * (phase AUTHN puts the plug-in before the authentication filters).
   */
  domains?: string[];
  filtersAfterWasm?: unknown[];
  /** The wasm filter's config name (Istio uses `<namespace>.<WasmPlugin name>`); default `coraza`. */
  pluginName?: string;
  /** A reflecting backend (albedo) for paths under /reflect: the ftw suite's response-phase tests. */
  reflector?: { host: string; port: number };
}

export const ENVOY_PORTS = { waf: 10000, baseline: 10001, admin: 9901 } as const;

const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } };

/**
 * Envoy bootstrap with two listeners in front of one upstream: `waf` (wasm filter → router) and
 * `baseline` (router only), so the WAF's cost can be measured against the same Envoy.
 */
export function renderEnvoyConfig(input: EnvoyConfigInput): Record<string, unknown> {
  const wasmFilter = {
    name: "envoy.filters.http.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
      config: {
        name: input.pluginName ?? "coraza",
        root_id: "",
        configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: JSON.stringify(input.pluginConfig) },
        fail_open: false,
        vm_config: { vm_id: "coraza", runtime: "envoy.wasm.runtime.v8", code: { local: { filename: input.wasmPath } } },
      },
    },
  };
  return {
    admin: { address: socket(input.ports.admin) },
    static_resources: {
      listeners: [
        listener("waf", input.ports.waf, [wasmFilter, ...(input.filtersAfterWasm ?? []), ROUTER], input.serverName, input.domains, input.reflector !== undefined),
        listener("baseline", input.ports.baseline, [ROUTER], input.serverName, input.domains, input.reflector !== undefined),
      ],
      clusters: [cluster("upstream", input.upstream), ...(input.reflector ? [cluster("reflector", input.reflector)] : [])],
    },
  };
}

function cluster(name: string, at: { host: string; port: number }) {
  return {
    name,
    type: "STRICT_DNS",
    connect_timeout: "2s",
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(at.port, at.host) } }] }] },
  };
}

function listener(name: string, port: number, httpFilters: unknown[], serverName = "envoy", domains = ["*"], reflector = false) {
  const routes = [
    ...(reflector ? [{ match: { prefix: "/reflect" }, route: { cluster: "reflector", timeout: "15s" } }] : []),
    { match: { prefix: "/" }, route: { cluster: "upstream", timeout: "15s" } },
  ];
  return {
    name,
    address: socket(port),
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": HCM,
              stat_prefix: name,
              server_name: serverName,
              route_config: {
                virtual_hosts: [{ name: "all", domains, routes }],
              },
              http_filters: httpFilters,
            },
          },
        ],
      },
    ],
  };
}

function socket(port: number, address = "0.0.0.0") {
  return { socket_address: { address, port_value: port } };
}
