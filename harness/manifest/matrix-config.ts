import { pluginConfigSha256 } from "./canonical-json.ts";
import type { LoadedManifest } from "./manifest.ts";
import { withParanoia } from "./paranoia.ts";

/** The Host that selects a paranoia level's directive set on the matrix's single Envoy. */
export const matrixHost = (level: number) => `pl${level}.wafcheck.test`;

/**
 * The paranoia matrix on one Envoy (one V8 compile instead of one per level): the manifest's default directive
 * set once per level, each chosen by Host through the plug-in's per_authority_directives.
 */
export function matrixManifest(manifest: LoadedManifest, levels: readonly number[]): LoadedManifest {
  const config = manifest.pluginConfig;
  const defaultSet = config.directives_map[config.default_directives]!;
  const directives_map: Record<string, string[]> = { ...config.directives_map };
  const per_authority_directives: Record<string, string> = { ...config.per_authority_directives };
  for (const level of levels) {
    const raised = withParanoia({ directives_map: { set: defaultSet }, default_directives: "set" }, level, manifest.source);
    directives_map[`wafcheck-pl${level}`] = raised.directives_map.set!;
    per_authority_directives[matrixHost(level)] = `wafcheck-pl${level}`;
  }
  const pluginConfig = { ...config, directives_map, per_authority_directives };
  return { ...manifest, pluginConfig, pluginConfigSha256: pluginConfigSha256(pluginConfig) };
}
