import { stringify } from "yaml";

/** Where the local Istio's gateway and its upstream sit; every address is 127.0.0.1. */
export interface MeshLayout {
  namespace: string;
  /** The gateway's Kubernetes identity: its service account (the agent's token and certificate name it). */
  serviceAccount: string;
  /** The gateway's labels (a WasmPlugin's selector matches them). */
  labels: Record<string, string>;
  /** The Host the gateway routes (as on a cloud gateway, any other Host gets 404). */
  host: string;
  gatewayPort: number;
  httpbinPort: number;
}

export const UPSTREAM_HOST = "httpbin.local-istio.test";

/**
 * What an ASM instance already has before the tutorial starts: the namespace, the ingress gateway's service
 * account, a Gateway on it, and a route to the app (httpbin, known to the mesh through a ServiceEntry since
 * it is a process on 127.0.0.1, not a pod).
 */
export function meshResources(m: MeshLayout): string {
  const docs = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: m.namespace } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: m.serviceAccount, namespace: m.namespace } },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: { name: "local-gateway", namespace: m.namespace },
      spec: {
        selector: m.labels,
        // bind: the listener is on 127.0.0.1 only (Istio's default would be 0.0.0.0).
        servers: [{ port: { number: m.gatewayPort, name: "http", protocol: "HTTP" }, bind: "127.0.0.1", hosts: [m.host] }],
      },
    },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "httpbin", namespace: m.namespace },
      spec: {
        hosts: [UPSTREAM_HOST],
        location: "MESH_EXTERNAL",
        resolution: "STATIC",
        ports: [{ number: m.httpbinPort, name: "http", protocol: "HTTP" }],
        endpoints: [{ address: "127.0.0.1" }],
      },
    },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "httpbin", namespace: m.namespace },
      spec: {
        hosts: [m.host],
        gateways: ["local-gateway"],
        http: [{ route: [{ destination: { host: UPSTREAM_HOST, port: { number: m.httpbinPort } } }] }],
      },
    },
  ];
  return docs.map((d) => stringify(d)).join("---\n");
}

/**
 * istiod's mesh config. No metrics providers: Istio's stats filter exists only in istio-proxy, and the
 * gateway here is upstream Envoy (the same build the local stack runs).
 */
export function meshConfig(discoveryAddress: string): string {
  return stringify({
    trustDomain: "cluster.local",
    rootNamespace: "istio-system",
    enablePrometheusMerge: false,
    defaultProviders: { metrics: [] },
    defaultConfig: { discoveryAddress },
  });
}

/** RBAC for the gateway's identity: read the pull secrets of its namespace, as the ingress gateway chart grants. */
export function gatewayRbac(m: Pick<MeshLayout, "namespace" | "serviceAccount">): string {
  const name = `${m.serviceAccount}-sds`;
  return [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace: m.namespace }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] }] },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace: m.namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: m.serviceAccount, namespace: m.namespace }],
    },
  ]
    .map((d) => stringify(d))
    .join("---\n");
}
