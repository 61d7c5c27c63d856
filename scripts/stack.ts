// `npm run stack`: start the local stack in the foreground, print its URLs, stop it on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { ENVOY_VERSION, parseEnv } from "../harness/config/index.ts";
import { reportFatal } from "../harness/errors.ts";
import { loadRunManifest } from "../harness/manifest/index.ts";
import { onShutdown, startLocalStack } from "../harness/stack/index.ts";

const HELP = `Usage: npm run stack [-- --server-name NAME]

Starts httpbin and Envoy with the Coraza plug-in (configured from WAF_PLUGIN, default
envoy-local/wasm-plugin.yaml) and prints, one per line:
  GATEWAY_URL=…      Envoy with the WAF
  BASELINE_URL=…     the same Envoy without the WAF filter
  UPSTREAM_URL=…     httpbin directly
  ENVOY_ADMIN_URL=…  Envoy admin (/stats shows the plug-in's waf_filter counters)
  GATEWAY_TLS_URL=…  the WAF behind TLS (ALPN h2 and http/1.1; e.g. curl --http2)
  BASELINE_TLS_URL=… the baseline behind TLS
  GATEWAY_CA_FILE=…  the run's CA (trust it: curl --cacert; removed when the stack stops)
Stays up until Ctrl-C / SIGTERM, then removes every container and network it made.
Environment: WAF_PLUGIN, WAF_WASM (build | release:<v> | path), WAF_IMAGE_SOURCE (local | registry),
WAF_ENVOY_VERSION (default ${ENVOY_VERSION}).`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" }, "server-name": { type: "string" } } });
  if (values.help) return void console.log(HELP);
  const env = parseEnv();
  const manifest = await loadRunManifest(env);
  const log = (line: string) => console.error(`[stack] ${line}`);
  const stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, serverName: values["server-name"], log });
  onShutdown(() => stack.stop(), log);
  console.log(`GATEWAY_URL=${stack.gatewayUrl}`);
  console.log(`BASELINE_URL=${stack.baselineUrl}`);
  console.log(`UPSTREAM_URL=${stack.upstreamUrl}`);
  console.log(`ENVOY_ADMIN_URL=${stack.adminUrl}`);
  console.log(`GATEWAY_TLS_URL=${stack.tls.gatewayUrl}`);
  console.log(`BASELINE_TLS_URL=${stack.tls.baselineUrl}`);
  console.log(`GATEWAY_CA_FILE=${stack.tls.caFile}`);
  log(`Envoy ${stack.envoyVersion}; plug-in ${stack.wasmSha256.slice(0, 12)}… (${stack.wasmSource}); pluginConfig sha256 ${stack.pluginConfigSha256.slice(0, 12)}…`);
  log("up; press Ctrl-C to stop");
  setInterval(() => undefined, 1 << 30);
}

main().catch(reportFatal);
