// `npm run istio`: a real Istio on this machine (API server, istiod, an ingress gateway run by pilot-agent,
// httpbin, an OCI registry with auth), in the foreground; prints its URLs; Ctrl-C removes everything.
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureIstioTools } from "../harness/artifacts/index.ts";
import { targetsFileText } from "../harness/asm/index.ts";
import { parseEnv } from "../harness/config/index.ts";
import { reportFatal } from "../harness/errors.ts";
import { LOCAL_ISTIO_TARGET, startLocalIstio } from "../harness/istio/index.ts";
import { onShutdown } from "../harness/stack/index.ts";

const ROOT = resolve(import.meta.dirname, "..");

const HELP = `Usage: npm run istio [-- --build] [-- --dir DIR]

Starts a real Istio on 127.0.0.1, built from Go modules (cached in ~/.cache/wafcheck; cold build
~25 min on 2 cores): etcd + kube-apiserver with Istio's CRDs, istiod (pilot-discovery) in
Kubernetes mode, an ingress gateway (pilot-agent running our Envoy build, labels istio=ingressgateway),
httpbin behind a ServiceEntry, and an OCI registry with htpasswd auth. Prints, one per line:
  GATEWAY_URL=…       the gateway (send Host: app.wafcheck.test)
  ENVOY_ADMIN_URL=…   the gateway's Envoy admin (config_dump shows what istiod generated)
  REGISTRY=…          the registry (user/password in the env file below)
  KUBECONFIG=…        kubectl's configuration for this cluster
  WAF_TARGETS_FILE=…  a targets file with the target "local-istio"
  ENV_FILE=…          all of the above plus WAF_REGISTRY_USER/PASSWORD, WAF_PLUGIN_URL and PATH
                      (kubectl): set -a; . <ENV_FILE>; set +a; then npm run asm -- package, secret,
                      apply, verify
No WasmPlugin is applied: that is what the asm steps do. Stays up until Ctrl-C / SIGTERM, then stops
every process and removes its files.
  --dir DIR where to write the targets and env files (default .wafcheck/local-istio)
  --build   only build (or find cached) the programs, print their cold build times, exit`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" }, build: { type: "boolean" }, dir: { type: "string" } } });
  if (values.help) return void console.log(HELP);
  const log = (line: string) => console.error(`[istio] ${line}`);
  if (values.build) {
    const tools = await ensureIstioTools(log);
    for (const [name, b] of Object.entries(tools.builds)) console.log(`${name}: cold build ${b.seconds} s on ${b.cores} core(s) (${b.builtAt})`);
    return;
  }
  const env = parseEnv();
  const istio = await startLocalIstio({ log, envoyVersion: env.WAF_ENVOY_VERSION });
  const dir = resolve(values.dir ?? join(ROOT, ".wafcheck/local-istio"));
  await mkdir(dir, { recursive: true });
  const targets = join(dir, "targets.yaml");
  const envFile = join(dir, "env");
  // The files name processes and a password that are gone once stopped: they go too.
  onShutdown(async () => {
    await istio.stop();
    await rm(targets, { force: true });
    await rm(envFile, { force: true });
  }, log);
  await writeFile(targets, targetsFileText(LOCAL_ISTIO_TARGET, istio.targetsEntry()));
  const url = `oci://${istio.registry.host}/wasm/coraza-proxy-wasm:1.0`;
  // The registry password is written to a file only this user can read, never printed.
  await writeFile(
    envFile,
    [
      `KUBECONFIG=${istio.kubeconfig}`,
      `PATH=${istio.kubectlDir}${delimiter}${process.env.PATH ?? ""}`,
      `WAF_TARGETS_FILE=${targets}`,
      `WAF_TARGET=${LOCAL_ISTIO_TARGET}`,
      `WAF_PLUGIN_URL=${url}`,
      `WAF_REGISTRY_USER=${istio.registry.username}`,
      `WAF_REGISTRY_PASSWORD=${istio.registry.password}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  await chmod(envFile, 0o600);
  console.log(`GATEWAY_URL=${istio.gatewayUrl}`);
  console.log(`GATEWAY_HOST=${istio.host}`);
  console.log(`ENVOY_ADMIN_URL=${istio.adminUrl}`);
  console.log(`REGISTRY=${istio.registry.host}`);
  console.log(`KUBECONFIG=${istio.kubeconfig}`);
  console.log(`WAF_TARGETS_FILE=${targets}`);
  console.log(`WAF_TARGET=${LOCAL_ISTIO_TARGET}`);
  console.log(`ENV_FILE=${envFile}`);
  log(`up in ${istio.startupSeconds} s; logs: ${Object.values(istio.logs).join(", ")}`);
  log(`next: set -a; . ${envFile}; set +a; npm run asm -- package && npm run asm -- secret && npm run asm -- apply && npm run asm -- verify`);
  log("press Ctrl-C to stop");
  setInterval(() => undefined, 1 << 30);
}

main().catch(reportFatal);
