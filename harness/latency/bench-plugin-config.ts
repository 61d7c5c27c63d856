import { pluginConfigSha256, withParanoia, type CorazaPluginConfig, type LoadedManifest } from "../manifest/index.ts";

/** Hosts that select the extra directive sets on the benchmark's single Envoy (per_authority_directives). */
export const BENCH_HOSTS = { seed: "seed.wafcheck.test", paranoia: "paranoia.wafcheck.test" } as const;

/** The tutorial's directive set: rule 101 alone, the cheapest useful WAF. */
export const SEED_DIRECTIVES = [
  "SecRuleEngine On",
  `SecRule REQUEST_HEADERS:x-user-type "@streq baned" "id:101,phase:1,t:lowercase,deny,msg:'denied by header'"`,
];

/**
 * The manifest's pluginConfig unchanged for its default set (the `waf_crs` scenario), plus the seed set and,
 * with WAF_PARANOIA, the default set at that level, each chosen by Host. One Envoy, one compile, side by side.
 */
export function benchmarkPluginConfig(config: CorazaPluginConfig, paranoia: number | undefined, source: string): CorazaPluginConfig {
  const defaultSet = config.directives_map[config.default_directives]!;
  const directives_map: Record<string, string[]> = { ...config.directives_map, "wafcheck-seed": SEED_DIRECTIVES };
  const per_authority_directives: Record<string, string> = { ...config.per_authority_directives, [BENCH_HOSTS.seed]: "wafcheck-seed" };
  if (paranoia !== undefined) {
    const raised = withParanoia({ directives_map: { set: defaultSet }, default_directives: "set" }, paranoia, source);
    directives_map["wafcheck-paranoia"] = raised.directives_map.set!;
    per_authority_directives[BENCH_HOSTS.paranoia] = "wafcheck-paranoia";
  }
  return { ...config, directives_map, per_authority_directives };
}

export function benchmarkManifest(manifest: LoadedManifest, paranoia: number | undefined): LoadedManifest {
  const pluginConfig = benchmarkPluginConfig(manifest.pluginConfig, paranoia, manifest.source);
  return { ...manifest, pluginConfig, pluginConfigSha256: pluginConfigSha256(pluginConfig) };
}
