import { UserError } from "../errors.ts";

/** An image reference as `docker push` and a WasmPlugin `spec.url` (`oci://…`) name it. */
export interface ImageRef {
  /** Registry host, with port when given (e.g. `registry.example.test`, `127.0.0.1:5000`). */
  registry: string;
  /** Repository path inside the registry (e.g. `wasm/coraza-proxy-wasm`). */
  repository: string;
  tag?: string;
  /** `sha256:<hex>` when the reference pins a digest. */
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses `registry/repo[:tag][@sha256:…]`, with or without `oci://`. The registry part is required: ASM
 * pulls from a private registry, so an image name that would silently mean Docker Hub is refused.
 */
export function parseImageRef(input: string, label = "image"): ImageRef {
  const text = input.trim().replace(/^oci:\/\//, "");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new UserError(`${label}=${input}: only oci:// image references can be packaged and pulled`);
  const slash = text.indexOf("/");
  const first = slash > 0 ? text.slice(0, slash) : "";
  if (!first || !(first.includes(".") || first.includes(":") || first === "localhost"))
    throw new UserError(`${label}=${input}: name the registry host, e.g. registry.example.test/wasm/coraza-proxy-wasm:1.0`);
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new UserError(`${label}=${input}: a digest must look like sha256:<64 hex digits>`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new UserError(`${label}=${input}: invalid tag "${tag}"`);
  }
  if (!rest || !rest.split("/").every((c) => COMPONENT.test(c)))
    throw new UserError(`${label}=${input}: invalid repository "${rest}" (lowercase letters, digits, . _ - and /)`);
  return { registry: first, repository: rest, tag, digest };
}

/** `registry/repo:tag` (or `@digest`), as docker names it. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** The WasmPlugin `spec.url` for an image. */
export function ociUrl(ref: ImageRef): string {
  return `oci://${formatImageRef(ref)}`;
}

/** The registry host without port, for allowlists and messages. */
export function registryHostname(ref: Pick<ImageRef, "registry">): string {
  return ref.registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
}
