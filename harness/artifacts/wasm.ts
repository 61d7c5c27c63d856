import { open, readFile, readdir, stat, rename, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { execa } from "execa";
import { UserError } from "../errors.ts";
import { sha256Hex } from "../manifest/index.ts";
import { cacheDir } from "./cache.ts";
import { downloadRelease } from "./wasm-release.ts";

export interface ResolvedWasm {
  path: string;
  sha256: string;
  /** Provenance shown beside every result: a standard-Go build is slower than the TinyGo release. */
  source: string;
}

const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);
const BUILD_DIR = resolve(import.meta.dirname, "../../envoy-local/coraza-wasm");
const BUILD_TAGS = "no_fs_access memoize_builders coraza.rule.multiphase_evaluation";

/**
 * WAF_WASM selects the plug-in: `build` (default: standard-Go build of upstream's code),
 * `release:<version>` (official release, verified against the SHA-256 pinned in envoy-local/wasm-releases.json),
 * or a path to a .wasm file.
 */
export async function resolveWasm(spec = "build", log: (line: string) => void = () => {}): Promise<ResolvedWasm> {
  if (spec === "build") return buildFromSource(log);
  if (spec.startsWith("release:")) {
    const version = spec.slice("release:".length);
    const path = await downloadRelease(version, log);
    return { path, sha256: await fileSha256(path), source: `release ${version} (official, TinyGo)` };
  }
  const path = resolve(spec);
  await assertWasmFile(path, `WAF_WASM=${spec}`);
  return { path, sha256: await fileSha256(path), source: `file ${path}` };
}

export async function assertWasmFile(path: string, label: string): Promise<void> {
  let head: Buffer;
  try {
    const handle = await open(path, "r");
    try {
      head = Buffer.alloc(4);
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new UserError(`${label}: cannot read the plug-in: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!head.equals(WASM_MAGIC)) throw new UserError(`${label}: ${path} is not a WebAssembly module (bad magic bytes)`);
}

async function fileSha256(path: string): Promise<string> {
  return sha256Hex(await readFile(path));
}

async function buildFromSource(log: (line: string) => void): Promise<ResolvedWasm> {
  const goVersion = await execa("go", ["env", "GOVERSION"]).then((r) => r.stdout.trim(), () => {
    throw new UserError("building the Coraza plug-in needs Go (https://go.dev/dl) or set WAF_WASM to a .wasm file / release:<version>");
  });
  const inputs = await buildInputs();
  const key = sha256Hex([goVersion, BUILD_TAGS, ...inputs.map(([name, content]) => `${name}\n${content}`)].join("\0")).slice(0, 16);
  const dir = await cacheDir("wasm", key);
  const path = join(dir, "coraza.wasm");
  const pseudoVersion = /coraza-proxy-wasm (\S+)/.exec(inputs.find(([n]) => n === "go.mod")?.[1] ?? "")?.[1] ?? "unknown";
  const source = `built from source: coraza-proxy-wasm ${pseudoVersion}, standard Go ${goVersion} (not the TinyGo release)`;
  const cached = await stat(path).then((s) => s.size > 0, () => false);
  if (!cached) {
    log(`building the Coraza plug-in with ${goVersion} (cache key ${key}, ~20-60 s cold)…`);
    const started = Date.now();
    const tmp = `${path}.tmp-${process.pid}`;
    await execa("go", ["build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false", "-ldflags=-buildid=", "-tags", BUILD_TAGS, "-o", tmp, "."], {
      cwd: BUILD_DIR,
      env: { GOOS: "wasip1", GOARCH: "wasm", CGO_ENABLED: "0" },
    }).catch((error: { stderr?: string; shortMessage?: string }) => {
      throw new UserError(`go build of the Coraza plug-in failed: ${(error.stderr ?? error.shortMessage ?? "").trim().split("\n").slice(-3).join(" | ")}`);
    });
    await rename(tmp, path);
    log(`plug-in built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await writeFile(join(dir, "source.txt"), `${source}\n`);
  }
  return { path, sha256: await fileSha256(path), source };
}

/** Every file that determines the built wasm, in a stable order. */
async function buildInputs(): Promise<Array<[string, string]>> {
  const entries = await readdir(BUILD_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.(go|mod|sum)$/.test(e.name))
    .map((e) => relative(BUILD_DIR, join(e.parentPath, e.name)))
    .sort();
  return Promise.all(files.map(async (f) => [f, await readFile(join(BUILD_DIR, f), "utf8")] as [string, string]));
}
