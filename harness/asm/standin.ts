import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { UserError } from "../errors.ts";
import { parseManifest, type LoadedManifest } from "../manifest/index.ts";
import { startLocalStack, type StackOptions, type StartedStack } from "../stack/index.ts";
import { istioGatewayEnvoyOptions } from "./gateway-config.ts";
import { parseImageRef } from "./image-ref.ts";
import { pullWasm, type PulledWasm } from "./oci-pull.ts";
import { credentialsFor } from "./pull-secret.ts";

export interface StandinOptions {
  /** The WasmPlugin as rendered by `npm run asm -- render` (validated again here with Istio's schema). */
  wasmPluginYaml: string;
  /** The pull secret's `.dockerconfigjson` (what `npm run asm -- secret` puts in the cluster). */
  dockerConfigJson?: string;
  /** The gateway's host (its VirtualService host): the only Host routed. */
  host: string;
  /** The wasm the run expects (e.g. resolveWasm().sha256): the pulled plugin.wasm must match it. */
  expectedWasmSha256?: string;
  imageSource?: StackOptions["imageSource"];
  log?: (line: string) => void;
}

export interface StartedStandin extends AsyncDisposable {
  /** Where the "gateway" listens (127.0.0.1 only). */
  url: string;
  host: string;
  manifest: LoadedManifest;
  pulled: Omit<PulledWasm, "bytes">;
  stack: StartedStack;
  /** A targets-file entry for this gateway: the same schema and code path as a real ASM gateway. */
  targetsEntry(options?: { rateLimit?: number; concurrency?: number }): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * A local stand-in for an ASM ingress gateway. Like istio-agent it pulls the image named in the WasmPlugin's
 * spec.url with the pull secret's credentials, extracts plugin.wasm and checks it (spec.sha256 against the
 * image digest, as Istio does; and the expected wasm SHA-256), then runs it in an Envoy set up as an Istio
 * gateway runs a phase-AUTHN plug-in (server istio-envoy, Host-based routing, wasm before authn, pluginConfig
 * as a JSON string).
 */
export async function startAsmStandin(options: StandinOptions): Promise<StartedStandin> {
  const log = options.log ?? (() => {});
  const manifest = parseManifest(options.wasmPluginYaml, "rendered WasmPlugin");
  const spec = manifest.resource.spec;
  const meta = (manifest.resource.metadata ?? {}) as { name?: string; namespace?: string };
  const url = String(spec.url ?? "");
  if (!url.startsWith("oci://")) throw new UserError(`rendered WasmPlugin: spec.url ${url} is not an oci:// image`);
  const registry = parseImageRef(url, "spec.url").registry;
  const credentials = options.dockerConfigJson ? credentialsFor(options.dockerConfigJson, registry) : undefined;
  if (spec.imagePullSecret && !credentials) throw new UserError(`the pull secret holds no credentials for ${registry}`);

  log(`pulling ${url} as istio-agent would…`);
  const pulled = await pullWasm({ url, credentials, expectedManifestDigest: typeof spec.sha256 === "string" ? spec.sha256 : undefined });
  if (options.expectedWasmSha256 && pulled.sha256 !== options.expectedWasmSha256)
    throw new UserError(`${url}: plugin.wasm sha256 ${pulled.sha256} is not the expected ${options.expectedWasmSha256}`);
  log(`pulled plugin.wasm ${pulled.sha256.slice(0, 12)}… (image ${pulled.manifestDigest.slice(0, 19)}…, ${pulled.layerCount} layer)`);

  const dir = await mkdtemp(join(tmpdir(), "wafcheck-standin-"));
  const wasmPath = join(dir, "plugin.wasm");
  await writeFile(wasmPath, pulled.bytes);
  const gateway = istioGatewayEnvoyOptions([options.host], { namespace: meta.namespace ?? "istio-system", name: meta.name ?? "coraza-proxy-wasm" });
  let stack: StartedStack;
  try {
    stack = await startLocalStack({
      manifest,
      wasm: wasmPath,
      imageSource: options.imageSource,
      serverName: gateway.serverName,
      envoy: { domains: gateway.domains, filtersAfterWasm: gateway.filtersAfterWasm, pluginName: gateway.pluginName, istioWasm: gateway.istioWasm },
      log,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const { bytes: _bytes, ...facts } = pulled;
  const gatewayHost = new URL(stack.gatewayUrl).hostname;
  const stop = () => stack.stop();
  return {
    url: stack.gatewayUrl,
    host: options.host,
    manifest,
    pulled: facts,
    stack,
    targetsEntry: (o = {}) => ({
      url: stack.gatewayUrl,
      host: options.host,
      allowlist: [gatewayHost, options.host],
      rateLimit: o.rateLimit ?? 50,
      concurrency: o.concurrency ?? 2,
    }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A targets file holding one target (YAML text). */
export function targetsFileText(name: string, entry: Record<string, unknown>): string {
  return stringify({ targets: { [name]: entry } });
}
