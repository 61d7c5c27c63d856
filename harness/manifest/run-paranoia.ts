import { loadManifest } from "./load-manifest.ts";
import type { CorazaPluginConfig } from "./manifest.ts";
import { paranoiaOf } from "./paranoia.ts";
import type { WafEnv } from "../config/index.ts";

/**
 * The blocking paranoia level the run is judged at: WAF_PARANOIA when set, else the level the manifest's
 * default directive set declares, else 1 (CRS's default).
 */
export async function runParanoia(env: Pick<WafEnv, "WAF_PARANOIA" | "WAF_PLUGIN">): Promise<number> {
  if (env.WAF_PARANOIA !== undefined) return env.WAF_PARANOIA;
  return paranoiaOfConfig((await loadManifest(env.WAF_PLUGIN)).pluginConfig, env);
}

/** The same, for a caller that has the manifest's pluginConfig already. */
export function paranoiaOfConfig(pluginConfig: CorazaPluginConfig, env: Pick<WafEnv, "WAF_PARANOIA">): number {
  return env.WAF_PARANOIA ?? paranoiaOf(pluginConfig.directives_map[pluginConfig.default_directives] ?? []) ?? 1;
}
