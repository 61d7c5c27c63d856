import { isMap, parseDocument } from "yaml";
import { UserError } from "../errors.ts";
import { parseManifest, pluginConfigSha256, type CorazaPluginConfig, type LoadedManifest } from "../manifest/index.ts";
import { ociUrl, parseImageRef } from "./image-ref.ts";

export interface RenderOptions {
  /** `oci://registry/repo:tag` (default: the manifest's spec.url). */
  url?: string;
  /** Pull secret name (default: the manifest's spec.imagePullSecret). */
  pullSecret?: string;
  namespace?: string;
  name?: string;
  /** Workload selector labels (default: the manifest's spec.selector.matchLabels). */
  selector?: Record<string, string>;
  /** Istio checks an OCI image's manifest digest against this (hex, without `sha256:`). */
  sha256?: string;
  imagePullPolicy?: "IfNotPresent" | "Always";
  /** Default AUTHN: the plug-in runs before the gateway's authentication filters. */
  phase?: "AUTHN" | "AUTHZ" | "STATS";
}

export interface RenderedPlugin {
  yaml: string;
  manifest: LoadedManifest;
  url: string;
  namespace: string;
  name: string;
  pullSecret: string | undefined;
}

/**
 * The WasmPlugin to apply to the gateway, made from the manifest the local stack loads. The text is the
 * manifest file edited in place, so `pluginConfig` stays byte for byte as written (comments included)
 * unless the run rewrites it (WAF_PARANOIA), in which case the run's pluginConfig is written. Either way
 * its canonical SHA-256 is the local run's `stack.pluginConfigSha256`, and the result is validated
 * against Istio's WasmPlugin schema before it is returned.
 */
export function renderWasmPlugin(text: string, source: string, run: { pluginConfig: CorazaPluginConfig }, options: RenderOptions = {}): RenderedPlugin {
  const original = parseManifest(text, source);
  const doc = parseDocument(text);
  const spec = original.resource.spec;
  const meta = (original.resource.metadata ?? {}) as { name?: string; namespace?: string };

  const url = options.url ?? (typeof spec.url === "string" ? spec.url : undefined);
  if (!url) throw new UserError(`${source}: no spec.url: pass --url oci://registry/repo:tag`);
  if (url.startsWith("oci://") || !/^[a-z]+:\/\//.test(url)) doc.setIn(["spec", "url"], ociUrl(parseImageRef(url, "--url")));
  else doc.setIn(["spec", "url"], url); // file:// and http(s):// are valid WasmPlugin URLs too
  const namespace = options.namespace ?? meta.namespace ?? "istio-system";
  const name = options.name ?? meta.name ?? "coraza-proxy-wasm";
  doc.setIn(["metadata", "namespace"], namespace);
  doc.setIn(["metadata", "name"], name);
  const pullSecret = options.pullSecret ?? (typeof spec.imagePullSecret === "string" ? spec.imagePullSecret : undefined);
  if (pullSecret) doc.setIn(["spec", "imagePullSecret"], pullSecret);
  if (options.selector) doc.setIn(["spec", "selector"], doc.createNode({ matchLabels: options.selector }));
  if (options.sha256) {
    if (!/^[0-9a-f]{64}$/.test(options.sha256.replace(/^sha256:/, ""))) throw new UserError(`--sha256=${options.sha256}: expected 64 hex digits`);
    doc.setIn(["spec", "sha256"], options.sha256.replace(/^sha256:/, ""));
  }
  if (options.imagePullPolicy) doc.setIn(["spec", "imagePullPolicy"], options.imagePullPolicy);
  doc.setIn(["spec", "phase"], options.phase ?? "AUTHN");

  const runSha = pluginConfigSha256(run.pluginConfig);
  if (runSha !== original.pluginConfigSha256) doc.setIn(["spec", "pluginConfig"], doc.createNode(run.pluginConfig));
  const specNode = doc.get("spec");
  if (!isMap(specNode)) throw new UserError(`${source}: spec is not a mapping`);

  // The file's own header comment describes the file, not the rendered resource: replace it.
  const contents = doc.contents;
  if (isMap(contents)) {
    contents.commentBefore = null;
    const firstKey = contents.items[0]?.key as { commentBefore?: string | null } | undefined;
    if (firstKey && typeof firstKey === "object") firstKey.commentBefore = null;
  }
  doc.commentBefore = [
    ` WasmPlugin rendered by \`npm run asm -- render\` from ${source}.`,
    ` pluginConfig sha256 (canonical JSON): ${runSha} = the local run's stack.pluginConfigSha256`,
  ].join("\n");
  const yaml = doc.toString({ lineWidth: 0 }).replace(/\n*$/, "\n");
  const manifest = parseManifest(yaml, "rendered WasmPlugin");
  if (manifest.pluginConfigSha256 !== runSha)
    throw new Error(`internal error: rendered pluginConfig sha256 ${manifest.pluginConfigSha256} differs from the run's ${runSha}`);
  return { yaml, manifest, url: String(manifest.resource.spec.url), namespace, name, pullSecret };
}

/** `--selector a=b` values to matchLabels. */
export function parseSelector(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new UserError(`--selector ${v}: expected key=value, e.g. istio=ingressgateway`);
    labels[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return labels;
}
