import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../errors.ts";
import type { KubeControlPlane } from "./kube.ts";
import type { Istiod } from "./istiod.ts";
import type { MeshLayout } from "./resources.ts";
import { freePort, startProcess, statusWithHost, waitReady, type Managed } from "./process.ts";

/** istio-agent's wasm module cache: a constant in its source (pkg/config/constants IstioDataDir), not a setting. */
export const ISTIO_WASM_CACHE_DIR = "/var/lib/istio/data";

export interface Gateway {
  process: Managed;
  url: string;
  adminUrl: string;
  logFile: string;
}

export interface GatewayInput {
  pilotAgent: string;
  envoy: string;
  istioModuleDir: string;
  mesh: MeshLayout;
  istiod: Istiod;
  kube: KubeControlPlane;
  dir: string;
  /** Registries the agent may pull from over plain HTTP (our registry on 127.0.0.1). */
  insecureRegistries: string[];
}

/**
 * The ingress gateway as a pod would run it, minus the pod: pilot-agent (`proxy router`) with the gateway's
 * labels, which gets its workload certificate from istiod's CA by presenting a service-account token the
 * API server issued (TokenRequest, audience istio-ca), connects to istiod over mTLS with it (so istiod
 * knows who it is and hands it pull secrets), starts our Envoy build with Istio's bootstrap template, and
 * pulls wasm modules for it.
 */
export async function startGateway(input: GatewayInput): Promise<Gateway> {
  const { dir, mesh, kube, istiod } = input;
  const tokens = join(dir, "var/run/secrets/tokens");
  const roots = join(dir, "var/run/secrets/istio");
  await mkdir(tokens, { recursive: true, mode: 0o700 });
  await mkdir(roots, { recursive: true });
  await mkdir(join(dir, "etc/istio/proxy"), { recursive: true });
  await mkdir(ISTIO_WASM_CACHE_DIR, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`istio-agent caches wasm modules in ${ISTIO_WASM_CACHE_DIR} (fixed in its source): cannot create it (${error.code}); create it writable for this user`);
  });
  const token = await kube.kubectl(["create", "token", mesh.serviceAccount, "-n", mesh.namespace, "--audience", "istio-ca", "--duration", "24h"]);
  await writeFile(join(tokens, "istio-token"), token.trim(), { mode: 0o600 });
  // istiod publishes its CA's root in every namespace (ConfigMap istio-ca-root-cert), as a pod would mount it.
  let root = "";
  for (let i = 0; i < 60 && !root; i++) {
    root = await kube.kubectl(["get", "configmap", "istio-ca-root-cert", "-n", mesh.namespace, "-o", "jsonpath={.data.root-cert\\.pem}"]).catch(() => "");
    if (!root) await new Promise((r) => setTimeout(r, 500));
  }
  if (!root) throw new UserError(`istiod did not publish its root certificate (ConfigMap ${mesh.namespace}/istio-ca-root-cert) within 30 s (log: ${istiod.process.logFile})`);
  await writeFile(join(roots, "root-cert.pem"), root);

  const [admin, status, envoyStatus, prometheus] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const proxyConfig = {
    binaryPath: input.envoy,
    configPath: join(dir, "etc/istio/proxy"),
    discoveryAddress: istiod.secureXdsAddress,
    controlPlaneAuthPolicy: "MUTUAL_TLS",
    proxyAdminPort: admin,
    statusPort: status,
    concurrency: 2,
    drainDuration: "1s",
    terminationDrainDuration: "1s",
    proxyBootstrapTemplatePath: join(input.istioModuleDir, "tools/packaging/common/envoy_bootstrap.json"),
  };
  const labels = JSON.stringify(mesh.labels);
  const logFile = join(dir, "pilot-agent.log");
  const process = startProcess("pilot-agent", input.pilotAgent, ["proxy", "router", "--log_output_level=default:info", "--proxyLogLevel=warning"], {
    cwd: dir,
    logFile,
    env: {
      PROXY_CONFIG: JSON.stringify(proxyConfig),
      POD_NAME: `${mesh.serviceAccount}-local`,
      POD_NAMESPACE: mesh.namespace,
      SERVICE_ACCOUNT: mesh.serviceAccount,
      INSTANCE_IP: "127.0.0.1",
      ISTIO_META_CLUSTER_ID: "Kubernetes",
      ISTIO_METAJSON_LABELS: labels,
      // Without a pod to read them from, istiod takes a proxy's labels from this metadata field.
      ISTIO_METAJSON_STATIC_LABELS: labels,
      CA_ADDR: istiod.secureXdsAddress,
      ISTIOD_SAN: istiod.san,
      JWT_POLICY: "third-party-jwt",
      ENVOY_STATUS_PORT: String(envoyStatus),
      ENVOY_PROMETHEUS_PORT: String(prometheus),
      WASM_INSECURE_REGISTRIES: input.insecureRegistries.join(","),
    },
  });
  const url = `http://127.0.0.1:${mesh.gatewayPort}`;
  const adminUrl = `http://127.0.0.1:${admin}`;
  // Ready when a request through the gateway reaches httpbin: certificate, XDS, listener and route all done.
  await waitReady(process, 90, "a gateway answering 200 for /get", async () => (await statusWithHost(`${url}/get`, mesh.host)) === 200);
  return { process, url, adminUrl, logFile };
}
