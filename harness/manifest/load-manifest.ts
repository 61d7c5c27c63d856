import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { UserError } from "../errors.ts";
import type { WafEnv } from "../config/index.ts";
import { parseManifest, type LoadedManifest } from "./manifest.ts";
import { manifestWithParanoia } from "./paranoia.ts";

/** Reads and validates a WasmPlugin manifest file; errors name the file as the user wrote it. */
export async function loadManifest(path: string): Promise<LoadedManifest> {
  const shown = relative(process.cwd(), path) || path;
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`WAF_PLUGIN=${shown}: cannot read the manifest (${error.code ?? error.message})`);
  });
  return parseManifest(text, shown);
}

/** The manifest a run loads: WAF_PLUGIN, with WAF_PARANOIA applied when set. */
export async function loadRunManifest(env: Pick<WafEnv, "WAF_PLUGIN" | "WAF_PARANOIA">): Promise<LoadedManifest> {
  return manifestWithParanoia(await loadManifest(env.WAF_PLUGIN), env.WAF_PARANOIA);
}
