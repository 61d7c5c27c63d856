import { UserError } from "../errors.ts";
import { pluginConfigSha256 } from "./canonical-json.ts";
import type { CorazaPluginConfig, LoadedManifest } from "./manifest.ts";

const LEVEL = /(setvar:'?tx\.blocking_paranoia_level=)(\d)/;

/** The blocking paranoia level a directive set declares, or undefined when it sets none. */
export function paranoiaOf(directives: readonly string[]): number | undefined {
  for (const d of directives) {
    const m = LEVEL.exec(d);
    if (m) return Number(m[2]);
  }
  return undefined;
}

/**
 * WAF_PARANOIA: the same pluginConfig with `tx.blocking_paranoia_level` set to `level` in every directive set
 * that declares one. A config without such a declaration cannot honour the request: say so, don't ignore it.
 */
export function withParanoia(config: CorazaPluginConfig, level: number, source: string): CorazaPluginConfig {
  let changed = 0;
  const directives_map = Object.fromEntries(
    Object.entries(config.directives_map).map(([name, directives]) => [
      name,
      directives.map((d) => (LEVEL.test(d) ? (changed++, d.replace(LEVEL, `$1${level}`)) : d)),
    ]),
  );
  if (changed === 0)
    throw new UserError(`WAF_PARANOIA=${level}: ${source} has no directive setting tx.blocking_paranoia_level to change (add a SecAction with setvar:tx.blocking_paranoia_level=1)`);
  return { ...config, directives_map };
}

/** The manifest as a run uses it: WAF_PARANOIA applied, its fingerprint recomputed. */
export function manifestWithParanoia(manifest: LoadedManifest, level: number | undefined): LoadedManifest {
  if (level === undefined) return manifest;
  const pluginConfig = withParanoia(manifest.pluginConfig, level, manifest.source);
  return {
    ...manifest,
    resource: { ...manifest.resource, spec: { ...manifest.resource.spec, pluginConfig } },
    pluginConfig,
    pluginConfigSha256: pluginConfigSha256(pluginConfig),
  };
}
