import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { meshConfig } from "./resources.ts";
import { freePort, startProcess, waitReady, type Managed } from "./process.ts";

export interface Istiod {
  process: Managed;
  /** XDS and CA over mTLS (the agent's identity is verified here: pull secrets go only to such agents). */
  secureXdsAddress: string;
  /** istiod's HTTP port: /ready, /debug/… */
  httpUrl: string;
  /** The DNS name istiod's serving certificate carries (the agent checks it: ISTIOD_SAN). */
  san: string;
}

/**
 * istiod (pilot-discovery) in Kubernetes mode against our API server, every port on 127.0.0.1. Its CA is the
 * self-signed one istiod makes at first start (root kept in the istio-ca-secret Secret). The three switches
 * keep istio-proxy-only filters (metadata exchange, ALPN override) out of the gateway's config, and drop
 * clusters the gateway does not route to (else kubernetes.default, which has no endpoints here, keeps
 * Envoy's initial fetch waiting forever).
 */
export async function startIstiod(binary: string, kubeconfig: string, dir: string, namespace: string): Promise<Istiod> {
  await mkdir(dir, { recursive: true });
  const [http, https, grpc, secureGrpc, monitoring] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const secureXdsAddress = `127.0.0.1:${secureGrpc}`;
  const mesh = join(dir, "mesh.yaml");
  await writeFile(mesh, meshConfig(secureXdsAddress));
  const process = startProcess(
    "istiod",
    binary,
    [
      "discovery",
      `--kubeconfig=${kubeconfig}`,
      `--meshConfig=${mesh}`,
      `--namespace=${namespace}`,
      `--httpAddr=127.0.0.1:${http}`,
      `--httpsAddr=127.0.0.1:${https}`,
      `--grpcAddr=127.0.0.1:${grpc}`,
      `--secureGRPCAddr=${secureXdsAddress}`,
      `--monitoringAddr=127.0.0.1:${monitoring}`,
      "--domain=cluster.local",
      "--log_output_level=default:info",
    ],
    {
      cwd: dir,
      logFile: join(dir, "istiod.log"),
      env: {
        POD_NAMESPACE: namespace,
        POD_NAME: "istiod-local",
        REVISION: "default",
        PILOT_ENABLE_METADATA_EXCHANGE: "false",
        PILOT_ENABLE_ALPN_FILTER: "false",
        PILOT_FILTER_GATEWAY_CLUSTER_CONFIG: "true",
        JWT_POLICY: "third-party-jwt",
        // No webhooks here (nothing would call them): do not patch configurations that do not exist.
        INJECTION_WEBHOOK_CONFIG_NAME: "",
        VALIDATION_WEBHOOK_CONFIG_NAME: "",
        ISTIOD_CUSTOM_HOST: "",
      },
    },
  );
  const httpUrl = `http://127.0.0.1:${http}`;
  await waitReady(process, 120, "a ready istiod (/ready)", async () => (await fetch(`${httpUrl}/ready`, { signal: AbortSignal.timeout(1000) })).ok);
  return { process, secureXdsAddress, httpUrl, san: `istiod.${namespace}.svc` };
}
