import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ensureEnvoyBinary, ensureHttpbinBinary, ensureIstioTools, type IstioTools } from "../artifacts/index.ts";
import { startLocalRegistry, type LocalRegistry } from "../asm/index.ts";
import { ENVOY_VERSION } from "../config/index.ts";
import { startGateway, type Gateway } from "./gateway.ts";
import { startIstiod, type Istiod } from "./istiod.ts";
import { startKube, type KubeControlPlane } from "./kube.ts";
import { freePort, startProcess, waitReady, type Managed } from "./process.ts";
import { gatewayRbac, meshResources, type MeshLayout } from "./resources.ts";

/** The named Host the local stack's target sends too: a numeric Host alone scores CRS points (rule 920350). */
export const LOCAL_ISTIO_HOST = "app.wafcheck.test";
export const LOCAL_ISTIO_TARGET = "local-istio";

export interface LocalIstio {
  gatewayUrl: string;
  adminUrl: string;
  host: string;
  /** kubectl's configuration for this cluster (admin). */
  kubeconfig: string;
  /** The folder holding the kubectl built for it (put it on PATH for `npm run asm -- secret/apply`). */
  kubectlDir: string;
  kubectl: KubeControlPlane["kubectl"];
  registry: LocalRegistry;
  mesh: MeshLayout;
  /** Logs of every process, by name (istio-agent's words about a wasm module are in pilot-agent's). */
  logs: Record<string, string>;
  tools: IstioTools;
  envoyVersion: string;
  startupSeconds: number;
  /** A targets-file entry: the same schema and remote code path as a cloud gateway. */
  targetsEntry(): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * A real Istio on this machine, as processes on 127.0.0.1: etcd and kube-apiserver, Istio's CRDs from the
 * pinned istio module, istiod against them, an ingress gateway (pilot-agent + our Envoy build), httpbin
 * behind a ServiceEntry, and the project's OCI registry with htpasswd auth. No WasmPlugin yet: that is what
 * `npm run asm -- package/secret/apply` bring.
 */
export async function startLocalIstio(options: { log?: (line: string) => void; envoyVersion?: string } = {}): Promise<LocalIstio> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const envoyVersion = options.envoyVersion ?? ENVOY_VERSION;
  const tools = await ensureIstioTools(log);
  const [envoy, httpbinBinary] = [await ensureEnvoyBinary(log, envoyVersion), await ensureHttpbinBinary(log)];
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-istio-"));
  const processes: Managed[] = [];
  let registry: LocalRegistry | undefined;
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop(); // the gateway first, etcd last
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    registry = await startLocalRegistry({ log });
    const httpbinPort = await freePort();
    const httpbin = startProcess("httpbin", httpbinBinary, ["-host", "127.0.0.1", "-port", String(httpbinPort), "-log-level", "WARN"], { cwd: dir, logFile: join(dir, "httpbin.log") });
    processes.push(httpbin);
    await waitReady(httpbin, 30, "httpbin answering", async () => (await fetch(`http://127.0.0.1:${httpbinPort}/status/200`, { signal: AbortSignal.timeout(1000) })).ok);

    const kube = await startKube(tools, join(dir, "kube"), log);
    processes.push(...kube.processes);
    await kube.kubectl(["apply", "--server-side", "-f", join(tools.istioModuleDir, "manifests/charts/base/files/crd-all.gen.yaml")]);
    await kube.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    const mesh: MeshLayout = {
      namespace: "istio-system",
      serviceAccount: "istio-ingressgateway",
      labels: { istio: "ingressgateway" },
      host: LOCAL_ISTIO_HOST,
      gatewayPort: await freePort(),
      httpbinPort,
    };
    await kube.kubectl(["apply", "-f", "-"], meshResources(mesh));
    await kube.kubectl(["apply", "-f", "-"], gatewayRbac(mesh));
    log(`Istio CRDs installed; Gateway, VirtualService and ServiceEntry (httpbin on 127.0.0.1:${httpbinPort}) applied`);

    const istiod: Istiod = await startIstiod(tools.pilotDiscovery, kube.kubeconfig, join(dir, "istiod"), mesh.namespace);
    processes.push(istiod.process);
    log(`istiod up (XDS+CA over mTLS at ${istiod.secureXdsAddress})`);
    const gateway: Gateway = await startGateway({
      pilotAgent: tools.pilotAgent,
      envoy,
      istioModuleDir: tools.istioModuleDir,
      mesh,
      istiod,
      kube,
      dir: join(dir, "gateway"),
      insecureRegistries: [registry.host],
    });
    processes.push(gateway.process);
    const startupSeconds = Math.round((Date.now() - started) / 100) / 10;
    log(`gateway up at ${gateway.url} (Host ${mesh.host}), Envoy ${envoyVersion} run by pilot-agent; ${startupSeconds} s`);
    const reg = registry;
    return {
      gatewayUrl: gateway.url,
      adminUrl: gateway.adminUrl,
      host: mesh.host,
      kubeconfig: kube.kubeconfig,
      kubectlDir: dirname(tools.kubectl),
      kubectl: kube.kubectl,
      registry: reg,
      mesh,
      logs: Object.fromEntries(processes.map((p) => [p.name, p.logFile])),
      tools,
      envoyVersion,
      startupSeconds,
      targetsEntry: () => ({
        url: gateway.url,
        host: mesh.host,
        allowlist: ["127.0.0.1", mesh.host],
        rateLimit: 200,
        concurrency: 2,
        istio: { admin: gateway.adminUrl, agentLog: gateway.logFile },
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
