// The CRS rule text the plug-in embeds, read from the plug-in's Go module at the version the project builds
// (envoy-local/coraza-wasm/go.mod, hash-checked against go.sum): the same files `Include @owasp_crs/*.conf` loads.
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { goModule } from "../artifacts/index.ts";
import { UserError } from "../errors.ts";
import { ruleCatalog, type RuleCatalog } from "./catalog.ts";

const BUILD_DIR = resolve(import.meta.dirname, "../../envoy-local/coraza-wasm");
const PLUGIN_MODULE = "github.com/corazawaf/coraza-proxy-wasm";
/** Where the plug-in keeps CRS's rule files (its `@owasp_crs/` prefix). */
export const EMBEDDED_CRS_DIR = "wasmplugin/rules/crs";

/** The plug-in module the project builds (its version and hash from envoy-local/coraza-wasm's go.mod and go.sum). */
export async function pluginModuleDir(): Promise<{ dir: string; version: string }> {
  const goMod = await readFile(join(BUILD_DIR, "go.mod"), "utf8");
  const goSum = await readFile(join(BUILD_DIR, "go.sum"), "utf8");
  const version = new RegExp(`${PLUGIN_MODULE} (v\\S+)`).exec(goMod)?.[1];
  if (!version) throw new UserError(`${join(BUILD_DIR, "go.mod")}: no ${PLUGIN_MODULE} requirement`);
  const sum = new RegExp(`^${PLUGIN_MODULE} ${version} (h1:\\S+)$`, "m").exec(goSum)?.[1];
  return { dir: await goModule(PLUGIN_MODULE, version, sum), version };
}

/** The rules a configuration (its includes and exclusions) loads, from the plug-in's embedded CRS files. */
export async function loadRuleCatalog(config: { includes: readonly string[]; exclusions: readonly string[] }): Promise<RuleCatalog> {
  const plugin = await pluginModuleDir();
  const dir = join(plugin.dir, EMBEDDED_CRS_DIR);
  const names = (await readdir(dir)).filter((f) => f.endsWith(".conf"));
  const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), "utf8") })));
  return ruleCatalog({ source: `${PLUGIN_MODULE}@${plugin.version} ${EMBEDDED_CRS_DIR}`, files, includes: config.includes, exclusions: config.exclusions });
}

/** The catalog, or why there is none (a remote gateway's rules are not known here; no Go to fetch the module): never fails a run. */
export async function ruleCatalogOrReason(config: { includes: readonly string[]; exclusions: readonly string[] }, local: boolean): Promise<RuleCatalog | { unavailable: string }> {
  if (!local) return { unavailable: "a remote gateway: its WAF log (the matched rules) is not read, so no rule coverage" };
  if (!config.includes.some((i) => i.startsWith("@owasp_crs/"))) return { unavailable: "the configuration includes no @owasp_crs rule file" };
  return loadRuleCatalog(config).catch((error: Error) => ({ unavailable: `the plug-in's CRS files could not be read: ${error.message.split("\n")[0]}` }));
}
