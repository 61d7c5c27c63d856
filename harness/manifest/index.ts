// The public surface of harness/manifest: what other folders, scripts, suites and tests use. Import it as
// ../manifest/index.ts; files inside harness/manifest import each other directly, never through this file.
export { canonicalJson, pluginConfigSha256, sha256Hex } from "./canonical-json.ts";
export { capabilitiesOf, REQUIREMENTS, unmetRequirement, type Requirement } from "./capabilities.ts";
export { configFacts, corazaVersionOf, type ConfigFacts } from "./config-facts.ts";
export { loadManifest, loadRunManifest } from "./load-manifest.ts";
export { parseManifest, type CorazaPluginConfig, type LoadedManifest } from "./manifest.ts";
export { matrixHost, matrixManifest } from "./matrix-config.ts";
export { manifestWithParanoia, paranoiaOf, withParanoia } from "./paranoia.ts";
export { paranoiaOfConfig } from "./run-paranoia.ts";
