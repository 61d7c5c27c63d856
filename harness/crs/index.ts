// The public surface of harness/crs: the CRS rules a configuration loads (parsed from the plug-in's embedded rule
// files). Import it as ../crs/index.ts; files inside harness/crs import each other directly.
export { crsVersionOf, includedFiles, removedIds, ruleCatalog, type RuleCatalog } from "./catalog.ts";
export { EMBEDDED_CRS_DIR, loadRuleCatalog, pluginModuleDir, ruleCatalogOrReason } from "./load.ts";
export { directivesOf, parseRuleFile, type CrsRule } from "./rule-file.ts";
