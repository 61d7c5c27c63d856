import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { UserError } from "../errors.ts";
import { parseImageRef, type ImageRef } from "./image-ref.ts";
import { PLUGIN_FILE } from "./package-plan.ts";

/** Manifest and layer media types Istio accepts for a Wasm plug-in image. */
export const MEDIA = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerTar: "application/vnd.oci.image.layer.v1.tar",
  wasmLayer: "application/vnd.module.wasm.content.layer.v1+wasm",
} as const;

export interface PulledWasm {
  bytes: Buffer;
  sha256: string;
  /** `sha256:<hex>` of the image manifest (what a WasmPlugin's spec.sha256 is checked against). */
  manifestDigest: string;
  layerMediaType: string;
  layerCount: number;
}

export interface PullOptions {
  /** `oci://registry/repo:tag` (a WasmPlugin's spec.url). */
  url: string;
  credentials?: { username: string; password: string };
  /** spec.sha256: the image manifest digest must match (hex, with or without `sha256:`). */
  expectedManifestDigest?: string;
  timeoutMs?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * What istio-agent does for an `oci://` WasmPlugin: fetch the image manifest (with the pull secret's
 * credentials), take the last layer, and extract `plugin.wasm` from it (a Docker/OCI tar layer) or use it
 * as is (a Wasm-artifact layer). Digests are checked on the way. Only registries on this machine
 * (loopback, plain HTTP) are contacted: this is the ASM stand-in's puller, not a general client.
 */
export async function pullWasm(options: PullOptions): Promise<PulledWasm> {
  const ref = parseImageRef(options.url, "spec.url");
  const host = ref.registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  if (!LOOPBACK.has(host)) throw new UserError(`spec.url=${options.url}: the stand-in pulls only from a registry on this machine (127.0.0.1), not ${ref.registry}`);
  const client = new RegistryClient(ref, options.credentials, options.timeoutMs ?? 30_000);

  let { body: manifestBytes, type } = await client.get(`manifests/${ref.digest ?? ref.tag ?? "latest"}`, [MEDIA.dockerManifest, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.ociIndex]);
  let manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
  if (type === MEDIA.dockerList || type === MEDIA.ociIndex || manifest.manifests) {
    const entry = manifest.manifests?.find((m) => m.platform?.os !== "unknown") ?? manifest.manifests?.[0];
    if (!entry) throw new UserError(`${options.url}: the image index lists no manifest`);
    ({ body: manifestBytes, type } = await client.get(`manifests/${entry.digest}`, [MEDIA.dockerManifest, MEDIA.ociManifest]));
    manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
  }
  const manifestDigest = `sha256:${sha256(manifestBytes)}`;
  if (ref.digest && ref.digest !== manifestDigest) throw new UserError(`${options.url}: manifest digest ${manifestDigest} does not match the URL's`);
  if (options.expectedManifestDigest && options.expectedManifestDigest.replace(/^sha256:/, "") !== manifestDigest.slice(7))
    throw new UserError(`${options.url}: image digest ${manifestDigest} does not match spec.sha256 ${options.expectedManifestDigest}`);

  const layers = manifest.layers ?? [];
  const layer = layers.at(-1);
  if (!layer) throw new UserError(`${options.url}: the image has no layer`);
  const blob = (await client.get(`blobs/${layer.digest}`, ["*/*"])).body;
  if (`sha256:${sha256(blob)}` !== layer.digest) throw new UserError(`${options.url}: layer ${layer.digest} arrived corrupted (sha256 mismatch)`);

  let bytes: Buffer;
  if (layer.mediaType === MEDIA.wasmLayer) bytes = blob;
  else if (layer.mediaType === MEDIA.dockerLayer || layer.mediaType === MEDIA.ociLayerGzip) bytes = fileFromTar(gunzipSync(blob), PLUGIN_FILE, options.url);
  else if (layer.mediaType === MEDIA.ociLayerTar) bytes = fileFromTar(blob, PLUGIN_FILE, options.url);
  else throw new UserError(`${options.url}: unsupported layer media type ${layer.mediaType}`);
  if (!bytes.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]))) throw new UserError(`${options.url}: ${PLUGIN_FILE} is not a WebAssembly module`);
  return { bytes, sha256: sha256(bytes), manifestDigest, layerMediaType: layer.mediaType, layerCount: layers.length };
}

interface Manifest {
  layers?: Array<{ mediaType: string; digest: string; size: number }>;
  manifests?: Array<{ digest: string; platform?: { os?: string } }>;
}

/** Entries of a tar archive (ustar/GNU/PAX), names as stored. */
export function tarEntries(tar: Buffer): Array<{ name: string; type: string; data: Buffer }> {
  const out: Array<{ name: string; type: string; data: Buffer }> = [];
  let offset = 0;
  let paxPath: string | undefined;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const prefix = field(345, 155);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1];
      continue;
    }
    if (type === "L") {
      longName = data.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    name = paxPath ?? longName ?? name;
    paxPath = longName = undefined;
    out.push({ name, type, data });
  }
  return out;
}

function fileFromTar(tar: Buffer, file: string, what: string): Buffer {
  const entries = tarEntries(tar);
  const hit = entries.find((e) => (e.type === "0" || e.type === "\0") && e.name.replace(/^\.?\//, "").split("/").pop() === file);
  if (!hit) throw new UserError(`${what}: the layer holds no ${file} (has: ${entries.map((e) => e.name).join(", ") || "nothing"})`);
  return Buffer.from(hit.data);
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The distribution API over plain HTTP on loopback, with Basic or token (Bearer) auth as the registry asks. */
class RegistryClient {
  private authorization?: string;

  constructor(
    private readonly ref: ImageRef,
    private readonly credentials: PullOptions["credentials"],
    private readonly timeoutMs: number,
  ) {}

  async get(path: string, accept: readonly string[]): Promise<{ body: Buffer; type: string }> {
    const url = `http://${this.ref.registry}/v2/${this.ref.repository}/${path}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(url, {
        headers: { accept: accept.join(", "), ...(this.authorization ? { authorization: this.authorization } : {}) },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "follow",
      });
      if (response.status === 401 && attempt === 0) {
        await response.arrayBuffer();
        this.authorization = await this.authorize(response.headers.get("www-authenticate") ?? "");
        continue;
      }
      if (!response.ok) {
        await response.arrayBuffer();
        const hint = response.status === 401 ? " (the pull secret's credentials were refused)" : response.status === 404 ? " (no such image or tag)" : "";
        throw new UserError(`pull ${this.ref.registry}/${this.ref.repository} ${path.split("/")[0]}: HTTP ${response.status}${hint}`);
      }
      return { body: Buffer.from(await response.arrayBuffer()), type: (response.headers.get("content-type") ?? "").split(";")[0]!.trim() };
    }
    throw new UserError(`pull ${this.ref.registry}/${this.ref.repository}: the registry refused the pull secret's credentials`);
  }

  private async authorize(challenge: string): Promise<string> {
    if (!this.credentials) throw new UserError(`pull ${this.ref.registry}/${this.ref.repository}: the registry wants credentials and the WasmPlugin names no usable pull secret`);
    const basic = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString("base64")}`;
    if (/^basic/i.test(challenge)) return basic;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!/^bearer/i.test(challenge) || !params.realm) throw new UserError(`pull ${this.ref.registry}: unsupported auth challenge`);
    const realm = new URL(params.realm);
    if (!LOOPBACK.has(realm.hostname.replace(/^\[|\]$/g, ""))) throw new UserError(`pull ${this.ref.registry}: token service ${realm.host} is not on this machine`);
    if (params.service) realm.searchParams.set("service", params.service);
    realm.searchParams.set("scope", params.scope ?? `repository:${this.ref.repository}:pull`);
    const response = await fetch(realm, { headers: { authorization: basic }, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new UserError(`pull ${this.ref.registry}: token service answered HTTP ${response.status}`);
    const token = (await response.json()) as { token?: string; access_token?: string };
    return `Bearer ${token.token ?? token.access_token ?? ""}`;
  }
}
