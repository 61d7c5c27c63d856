import { canonicalJson, type CorazaPluginConfig } from "../manifest/index.ts";

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
  /** The wasm filter's config name (istiod: `<namespace>.<WasmPlugin name>~istio-translated-wasmplugin`); default `coraza`. */
  pluginName?: string;
  /**
   * The wasm filter exactly as istiod generates it for a WasmPlugin (read from a real istiod's config_dump: npm run
   * istio): its HTTP filter name (the ECDS resource name); the wasm config name is pluginName; see renderEnvoyConfig.
   */
  istioWasm?: { filterName: string };
  /**
   * A reflecting backend (albedo) for paths under /reflect (the ftw suite's response-phase tests), and for any path of
   * a request carrying REFLECTOR_HEADER (OpenAPI runs: an API's own paths get albedo's 200, not httpbin's 404).
   */
  reflector?: { host: string; port: number };
  /**
   * A gRPC upstream (WAF_GRPC=on): requests whose content-type starts with application/grpc go to the `grpc` cluster
   * over HTTP/2 (clients reach the listeners with h2c prior knowledge: the HCM's codec is AUTO).
   */
  grpc?: { host: string; port: number };
  /**
   * A TLS listener beside the clear-text one, with the same filters: ALPN offers h2 and http/1.1, as a gateway does.
   * Its responses (the WAF's own 403s too) say which protocol the request came in on (PROTOCOL_HEADER).
   */
  tls?: { port: number; baselinePort: number; certPem: string; keyPem: string };
  /** The plug-in VM's environment (the WasmPlugin's vmConfig.env): vm_config.environment_variables.key_values. */
  vmEnv?: Record<string, string>;
}

/**
 * Local stacks: a request with this header (value REFLECTOR_VALUE) goes to the reflecting backend whatever its path,
 * under /openapi/ (so an API path never meets albedo's own endpoints). The WAF sees it like any other header.
 */
export const REFLECTOR_HEADER = "x-wafcheck-upstream";
export const REFLECTOR_VALUE = "reflector";

/** Response header the local TLS listener adds: the downstream protocol Envoy saw (HTTP/1.1, HTTP/2). */
export const PROTOCOL_HEADER = "x-wafcheck-protocol";

export const ENVOY_PORTS = { waf: 10000, baseline: 10001, admin: 9901, tls: 10443, tlsBaseline: 10444 } as const;

const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } };

/**
 * Envoy bootstrap with two listeners in front of one upstream: `waf` (wasm filter → router) and
 * `baseline` (router only), so the WAF's cost can be measured against the same Envoy.
 */
export function renderEnvoyConfig(input: EnvoyConfigInput): Record<string, unknown> {
  const istio = input.istioWasm;
  const wasmFilter = {
    name: istio?.filterName ?? "envoy.filters.http.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
      config: {
        name: input.pluginName ?? "coraza",
        // As istiod generates it: no root_id or vm_id, failure_policy instead of the deprecated fail_open, and
        // pluginConfig as canonical JSON (protojson of a Struct: keys sorted, no spaces).
        ...(istio ? {} : { root_id: "" }),
        configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: istio ? canonicalJson(input.pluginConfig) : JSON.stringify(input.pluginConfig) },
        ...(istio ? { failure_policy: "FAIL_CLOSED" } : { fail_open: false }),
        vm_config: {
          ...(istio ? {} : { vm_id: "coraza" }),
          runtime: "envoy.wasm.runtime.v8",
          code: { local: { filename: input.wasmPath } },
          ...(input.vmEnv && Object.keys(input.vmEnv).length > 0 && { environment_variables: { key_values: input.vmEnv } }),
        },
      },
    },
  };
  return {
    admin: { address: socket(input.ports.admin) },
    static_resources: {
      listeners: [
        listener("waf", input.ports.waf, [wasmFilter, ...(input.filtersAfterWasm ?? []), ROUTER], input.serverName, input.domains, input.reflector !== undefined, input.grpc !== undefined),
        listener("baseline", input.ports.baseline, [ROUTER], input.serverName, input.domains, input.reflector !== undefined, input.grpc !== undefined),
        ...(input.tls
          ? [
              tlsListener("waf-tls", input.tls.port, input.tls, [wasmFilter, ...(input.filtersAfterWasm ?? []), ROUTER], input),
              tlsListener("baseline-tls", input.tls.baselinePort, input.tls, [ROUTER], input),
            ]
          : []),
      ],
      clusters: [cluster("upstream", input.upstream), ...(input.reflector ? [cluster("reflector", input.reflector)] : []), ...(input.grpc ? [grpcCluster(input.grpc)] : [])],
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

/** The gRPC upstream's cluster: HTTP/2 towards it (gRPC needs it), whatever the client spoke. */
function grpcCluster(at: { host: string; port: number }) {
  return {
    ...cluster("grpc", at),
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
  };
}

function listener(name: string, port: number, httpFilters: unknown[], serverName = "envoy", domains = ["*"], reflector = false, grpc = false) {
  const routes = [
    ...(grpc ? [{ match: { prefix: "/", headers: [{ name: "content-type", string_match: { prefix: "application/grpc" } }] }, route: { cluster: "grpc", timeout: "15s" } }] : []),
    ...(reflector
      ? [
          { match: { prefix: "/", headers: [{ name: REFLECTOR_HEADER, string_match: { exact: REFLECTOR_VALUE } }] }, route: { cluster: "reflector", timeout: "15s", prefix_rewrite: "/openapi/" } },
          { match: { prefix: "/reflect" }, route: { cluster: "reflector", timeout: "15s" } },
        ]
      : []),
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
              // WebSocket upgrades go through to the app (Envoy itself answers 403 to an upgrade it is not told to allow).
              upgrade_configs: [{ upgrade_type: "websocket" }],
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

const TLS_CONTEXT = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

/** A listener behind TLS (the `waf` one, or the `baseline` one), telling in a response header which protocol each request used. */
function tlsListener(name: string, port: number, tls: NonNullable<EnvoyConfigInput["tls"]>, httpFilters: unknown[], input: EnvoyConfigInput) {
  const base = listener(name, port, httpFilters, input.serverName, input.domains, input.reflector !== undefined);
  const chain = base.filter_chains[0]!;
  const hcm = chain.filters[0]!.typed_config as Record<string, unknown>;
  const protocol = [{ header: { key: PROTOCOL_HEADER, value: "%PROTOCOL%" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }];
  (hcm.route_config as Record<string, unknown>).response_headers_to_add = protocol;
  // Answers Envoy makes itself (the WAF's 403, a 503) skip the route's header list: the local-reply mapper adds it.
  hcm.local_reply_config = { mappers: [{ filter: { status_code_filter: { comparison: { op: "GE", value: { default_value: 100, runtime_key: "wafcheck.local_reply.min_status" } } } }, headers_to_add: protocol }] };
  return {
    ...base,
    filter_chains: [{
      ...chain,
      transport_socket: {
        name: "envoy.transport_sockets.tls",
        typed_config: {
          "@type": TLS_CONTEXT,
          common_tls_context: {
            alpn_protocols: ["h2", "http/1.1"],
            tls_certificates: [{ certificate_chain: { inline_string: tls.certPem }, private_key: { inline_string: tls.keyPem } }],
          },
        },
      },
    }],
  };
}

function socket(port: number, address = "0.0.0.0") {
  return { socket_address: { address, port_value: port } };
}
