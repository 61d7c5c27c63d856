import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { goModule } from "../artifacts/index.ts";
import { crsVersionOf, EMBEDDED_CRS_DIR } from "../crs/index.ts";
import { UserError } from "../errors.ts";
import { parseFtwConfig, type FtwPolicy } from "./overrides.ts";

const CRS_MODULE = "github.com/corazawaf/coraza-coreruleset/v4";
/** The regression tests' module, pinned by its Go checksum (the checksum database is not reachable here). */
const CRS_TEST_SUMS: Record<string, string> = { "v4.14.0": "h1:bblMqFRGQyREP81dsJ7RRiHua0LW7apuIrDwKy8qFHg=" };

/** The CRS version the plug-in embeds, from its rule files (`ver:'OWASP_CRS/4.14.0'`). */
export async function embeddedCrsVersion(pluginDir: string): Promise<string> {
  const dir = join(pluginDir, EMBEDDED_CRS_DIR);
  for (const f of (await readdir(dir)).filter((f) => f.endsWith(".conf")).sort()) {
    const version = crsVersionOf(await readFile(join(dir, f), "utf8"));
    if (version) return version;
  }
  throw new UserError(`${dir}: no OWASP_CRS version in the plug-in's rule files`);
}

/** The CRS regression tests (ftw YAML) of a CRS version, from coraza-coreruleset's module. */
export async function crsTestsDir(crsVersion: string): Promise<string> {
  const version = `v${crsVersion}`;
  return join(await goModule(CRS_MODULE, version, CRS_TEST_SUMS[version]), "tests");
}

/** The plug-in's own Envoy ignore list: its ftw/ftw.yml (go-ftw's config format), read from the pinned module. */
export async function pluginFtwPolicy(pluginDir: string): Promise<FtwPolicy> {
  return parseFtwConfig(await readFile(join(pluginDir, "ftw/ftw.yml"), "utf8"), "coraza-proxy-wasm ftw/ftw.yml").policy;
}
