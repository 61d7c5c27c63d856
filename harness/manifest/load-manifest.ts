import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { UserError } from "../errors.ts";
import { parseManifest, type LoadedManifest } from "./manifest.ts";

/** Reads and validates a WasmPlugin manifest file; errors name the file as the user wrote it. */
export async function loadManifest(path: string): Promise<LoadedManifest> {
  const shown = relative(process.cwd(), path) || path;
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`WAF_PLUGIN=${shown}: cannot read the manifest (${error.code ?? error.message})`);
  });
  return parseManifest(text, shown);
}
