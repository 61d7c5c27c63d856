import { pluginConfigSha256, type LoadedManifest } from "../manifest/index.ts";

export type Side = "base" | "candidate";
export const SIDES: readonly Side[] = ["base", "candidate"];

/** The Host that selects a side's directive set on the review's single Envoy. */
export const reviewHost = (side: Side) => `${side}.wafcheck.test`;

/**
 * Base and candidate on one Envoy (same machine, same moment, one V8 compile): each manifest's directive sets under
 * a prefixed name, and each side's default set chosen by Host through the plug-in's per_authority_directives.
 * Each side keeps exactly its own directives; the manifests' own per-authority entries are not carried over (the
 * review selects by its own hosts).
 */
export function reviewManifest(base: LoadedManifest, candidate: LoadedManifest): LoadedManifest {
  const directives_map: Record<string, string[]> = {};
  const per_authority_directives: Record<string, string> = {};
  for (const [side, manifest] of [["base", base], ["candidate", candidate]] as const) {
    const config = manifest.pluginConfig;
    for (const [name, set] of Object.entries(config.directives_map)) directives_map[`${side}-${name}`] = set;
    per_authority_directives[reviewHost(side)] = `${side}-${config.default_directives}`;
  }
  const pluginConfig = { directives_map, default_directives: `base-${base.pluginConfig.default_directives}`, per_authority_directives };
  return { ...base, source: `${base.source} vs ${candidate.source}`, pluginConfig, pluginConfigSha256: pluginConfigSha256(pluginConfig) };
}
