import { readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { sha256Hex } from "../manifest/index.ts";
import { cacheDir } from "./cache.ts";

const RELEASES_FILE = resolve(import.meta.dirname, "../../envoy-local/wasm-releases.json");

const releasesSchema = z.object({
  releases: z.record(
    z.string(),
    z.object({ url: z.url(), wasmInArchive: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable() }),
  ),
});

export type ReleasePins = z.infer<typeof releasesSchema>["releases"];

export async function loadReleasePins(file = RELEASES_FILE): Promise<ReleasePins> {
  const parsed = releasesSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${file}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data.releases;
}

/** Verifies an archive against its pin and returns the wasm inside it (pure, so it is unit-tested). */
export function extractVerified(archive: Uint8Array, version: string, pin: ReleasePins[string]): Uint8Array {
  const actual = sha256Hex(archive);
  if (pin.sha256 === null) throw new UserError(`release ${version}: no SHA-256 pinned in envoy-local/wasm-releases.json (archive is ${actual}); verify it, pin it, then retry`);
  if (actual !== pin.sha256) throw new UserError(`release ${version}: SHA-256 mismatch: pinned ${pin.sha256}, downloaded ${actual}`);
  const files = unzipSync(archive);
  const wasm = files[pin.wasmInArchive];
  if (!wasm) throw new UserError(`release ${version}: ${pin.wasmInArchive} not found in the archive (has: ${Object.keys(files).join(", ")})`);
  return wasm;
}

/**
 * Downloads an official release (once; the archive is cached by version) and returns the path of its wasm.
 * The cached archive is verified against its pin on every use, so a cache altered on disk is never loaded.
 */
export async function downloadRelease(version: string, log: (line: string) => void, pinsFile = RELEASES_FILE): Promise<string> {
  const pins = await loadReleasePins(pinsFile);
  const pin = pins[version];
  if (!pin) throw new UserError(`WAF_WASM=release:${version}: unknown release (pinned: ${Object.keys(pins).join(", ")})`);
  if (pin.sha256 === null) throw new UserError(`WAF_WASM=release:${version}: no SHA-256 pinned in envoy-local/wasm-releases.json; pin it after verifying the archive, or set WAF_WASM to a local .wasm path`);
  const dir = await cacheDir("wasm-release", version, pin.sha256.slice(0, 16));
  const archivePath = join(dir, "release.zip");
  const cached = await readFile(archivePath).catch(() => undefined);
  let wasm = cached && verifiedOrUndefined(cached, version, pin);
  if (cached && !wasm) log(`cached release ${version} at ${archivePath} does not match its pin; downloading it again`);
  if (!wasm) {
    const archive = await download(pin.url, version, log);
    wasm = extractVerified(archive, version, pin);
    await writeAtomic(archivePath, archive);
  }
  const path = join(dir, "coraza-proxy-wasm.wasm");
  await writeAtomic(path, wasm);
  return path;
}

function verifiedOrUndefined(archive: Uint8Array, version: string, pin: ReleasePins[string]): Uint8Array | undefined {
  try {
    return extractVerified(archive, version, pin);
  } catch {
    return undefined;
  }
}

async function download(url: string, version: string, log: (line: string) => void): Promise<Uint8Array> {
  log(`downloading coraza-proxy-wasm ${version}…`);
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((error: Error) => {
    throw new UserError(`release ${version}: download failed: ${error.message}`);
  });
  if (!response.ok) throw new UserError(`release ${version}: download failed: HTTP ${response.status} from ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
}
