// Reads an OpenAPI 3.x description (YAML or JSON, a file or a package a registry ships) and dereferences it with a
// maintained parser (@readme/openapi-parser). Bad input is one line naming the source, exit 2.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { dereference } from "@readme/openapi-parser";
import { execa } from "execa";
import { cacheDir } from "../artifacts/index.ts";
import { UserError } from "../errors.ts";
import type { Dialect } from "./schema-check.ts";

export interface LoadedSpec {
  /** As the user named it (a path, or npm:<package>@<version>/<file>). */
  source: string;
  /** Short name for ids and reports: the file name without extension. */
  name: string;
  title: string;
  version: string;
  dialect: Dialect;
  /** The path of the first server URL (`/v2` for https://petstore.example/v2); "" when it has none. */
  basePath: string;
  doc: Record<string, unknown>;
}

// npm:<package>@<exact version>/<file in the package>, e.g. npm:@octokit/openapi@23.0.2/generated/api.github.com.json
const NPM_SOURCE = /^npm:((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)@(\d+\.\d+\.\d+[\w.+-]*)\/(.+)$/i;

export async function loadSpec(source: string, log: (line: string) => void = () => {}): Promise<LoadedSpec> {
  const file = NPM_SOURCE.test(source) ? await fromNpm(source, log) : source;
  if (!existsSync(file)) throw new UserError(`WAF_OPENAPI: ${source}: file not found`);
  let doc: Record<string, unknown>;
  try {
    doc = (await dereference(file)) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`WAF_OPENAPI: ${source}: ${(error as Error).message.split("\n")[0]}`);
  }
  const version = typeof doc.openapi === "string" ? doc.openapi : undefined;
  if (!version?.startsWith("3.")) {
    throw new UserError(`WAF_OPENAPI: ${source}: openapi: ${version ?? (doc.swagger ? `swagger ${String(doc.swagger)}` : "missing")} (wafcheck reads OpenAPI 3.0 and 3.1 descriptions)`);
  }
  const info = (doc.info ?? {}) as { title?: string; version?: string };
  return {
    source,
    name: basename(file).replace(/\.(ya?ml|json)$/i, ""),
    title: info.title ?? basename(file),
    version: info.version ?? "",
    dialect: version.startsWith("3.1") ? "3.1" : "3.0",
    basePath: basePathOf(doc.servers),
    doc,
  };
}

/** The path part of the first server URL, its variables at their defaults. Host and scheme come from the target. */
export function basePathOf(servers: unknown): string {
  const first = Array.isArray(servers) ? (servers[0] as { url?: unknown; variables?: Record<string, { default?: unknown }> } | undefined) : undefined;
  if (typeof first?.url !== "string") return "";
  const url = first.url.replace(/\{([^}]+)\}/g, (_, v: string) => String(first.variables?.[v]?.default ?? ""));
  let path: string;
  try {
    path = new URL(url, "http://wafcheck.invalid").pathname;
  } catch {
    return "";
  }
  return path.replace(/\/+$/, "");
}

/** A registry-shipped spec: `npm pack` (npm's own client, integrity checked) into the cache, the one file extracted. */
async function fromNpm(source: string, log: (line: string) => void): Promise<string> {
  const [, pkg, version, inner] = NPM_SOURCE.exec(source)!;
  const dir = await cacheDir("openapi", `${pkg!.replace(/[@/]/g, "_")}-${version}`);
  const file = join(dir, "package", inner!);
  if (existsSync(file)) return file;
  log(`fetching ${pkg}@${version} with npm pack (once; cached in ${dir})`);
  const packed = await execa("npm", ["pack", `${pkg}@${version}`, "--pack-destination", dir, "--silent"], { reject: false, cwd: dir });
  const tgz = (await readdir(dir)).find((f) => f.endsWith(".tgz"));
  if (packed.exitCode !== 0 || !tgz) throw new UserError(`WAF_OPENAPI: ${source}: npm pack ${pkg}@${version} failed: ${String(packed.stderr).split("\n")[0]}`);
  const extracted = await execa("tar", ["-xzf", join(dir, tgz), "-C", dir, `package/${inner}`], { reject: false });
  if (extracted.exitCode !== 0) throw new UserError(`WAF_OPENAPI: ${source}: ${inner} is not in ${pkg}@${version}`);
  return file;
}
