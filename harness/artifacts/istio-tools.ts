import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { UserError } from "../errors.ts";
import { cacheDir, exists } from "./cache.ts";
import { goModule } from "./go-module.ts";
import { ETCD_VERSION, ISTIO_MODULE_VERSION, KUBERNETES_STAGING_VERSION, KUBERNETES_VERSION } from "../config/index.ts";

/** The local Istio's programs, built from Go modules into the artifact cache (outside the clone). */
export interface IstioTools {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  pilotDiscovery: string;
  pilotAgent: string;
  /** The istio.io/istio module's source folder: CRDs, the agent's bootstrap template. */
  istioModuleDir: string;
  /** Cold build time of each program (seconds, as measured when it was built on this machine). */
  builds: Record<string, BuildRecord>;
}

export interface BuildRecord {
  seconds: number;
  cores: number;
  builtAt: string;
}

const ISTIO_MODULE = "istio.io/istio";
const KUBERNETES_MODULE = "k8s.io/kubernetes";
const ETCD_MODULE = "go.etcd.io/etcd/server/v3";

/**
 * Builds what is missing (each once; a rebuild only after its cache folder is removed), at the lowest CPU
 * priority: on 2 cores kube-apiserver takes ~13 min and pilot-discovery ~11 min cold, the others under a minute.
 */
export async function ensureIstioTools(log: (line: string) => void): Promise<IstioTools> {
  const istioDir = await cacheDir(`istio-${ISTIO_MODULE_VERSION.slice(-12)}`);
  const kubeDir = await cacheDir(`kubernetes-${KUBERNETES_VERSION}`);
  const etcdDir = await cacheDir(`etcd-${ETCD_VERSION}`);
  const wrapper = join(kubeDir, "module");
  const built = (dir: string, file: string, what: string, build: () => Promise<unknown>) => ensureBuilt(dir, file, what, build, log);
  // Two chains that share nothing run side by side; inside a chain the later builds reuse the Go build cache.
  const [kube, istio] = await Promise.all([
    (async () => {
      await ensureKubernetesWrapper(wrapper, log);
      const kubeApiserver = await built(kubeDir, "kube-apiserver", `kube-apiserver ${KUBERNETES_VERSION}`, () =>
        goInstall([`${KUBERNETES_MODULE}/cmd/kube-apiserver`], kubeDir, wrapper),
      );
      const kubectl = await built(kubeDir, "kubectl", `kubectl ${KUBERNETES_VERSION}`, () => goInstall([`${KUBERNETES_MODULE}/cmd/kubectl`], kubeDir, wrapper));
      const etcd = await built(etcdDir, "etcd", `etcd ${ETCD_VERSION}`, async () => {
        // etcd's server module replaces its sibling modules by relative folders, so `go install …@v` is refused too;
        // a wrapper module requiring it builds it with the published siblings.
        const module = join(etcdDir, "module");
        await wrapperModule(module, "wafcheck.local/etcdtool", [`require ${ETCD_MODULE} ${ETCD_VERSION}`], [ETCD_MODULE]);
        await goInstall([ETCD_MODULE], etcdDir, module);
        await rename(join(etcdDir, "server"), join(etcdDir, "etcd")); // the module's main package is named after its folder
      });
      return { kubeApiserver, kubectl, etcd };
    })(),
    (async () => {
      const pilotDiscovery = await built(istioDir, "pilot-discovery", "istiod (pilot-discovery)", () =>
        goInstall([`${ISTIO_MODULE}/pilot/cmd/pilot-discovery@${ISTIO_MODULE_VERSION}`], istioDir),
      );
      const pilotAgent = await built(istioDir, "pilot-agent", "pilot-agent", () => goInstall([`${ISTIO_MODULE}/pilot/cmd/pilot-agent@${ISTIO_MODULE_VERSION}`], istioDir));
      return { pilotDiscovery, pilotAgent };
    })(),
  ]);
  const istioModuleDir = await goModule(ISTIO_MODULE, ISTIO_MODULE_VERSION, undefined);
  const builds: Record<string, BuildRecord> = {};
  for (const [name, path] of Object.entries({ ...kube, ...istio })) {
    const record = await readFile(`${path}.build.json`, "utf8").then((t) => JSON.parse(t) as BuildRecord, () => undefined);
    if (record) builds[name] = record;
  }
  return { ...kube, ...istio, istioModuleDir, builds };
}

async function ensureBuilt(dir: string, file: string, what: string, build: () => Promise<unknown>, log: (line: string) => void): Promise<string> {
  const binary = join(dir, file);
  if (await exists(binary)) return binary;
  log(`building ${what} from its Go module (cold: minutes; cached in ${dir})…`);
  const started = Date.now();
  await build();
  const seconds = Math.round((Date.now() - started) / 1000);
  await writeFile(`${binary}.build.json`, JSON.stringify({ seconds, cores: cpus().length, builtAt: new Date().toISOString() } satisfies BuildRecord) + "\n");
  log(`built ${what} in ${seconds} s`);
  return binary;
}

/**
 * k8s.io/kubernetes replaces its staging modules (k8s.io/api, …) by folders of its own repository, so
 * `go install k8s.io/kubernetes/cmd/…@v` is refused. A wrapper module requiring it, with each staging module
 * replaced by its published release, builds its commands.
 */
async function ensureKubernetesWrapper(dir: string, log: (line: string) => void): Promise<void> {
  if (await exists(join(dir, "go.sum"))) return;
  const source = await goModule(KUBERNETES_MODULE, KUBERNETES_VERSION, undefined);
  const staging = [...(await readFile(join(source, "go.mod"), "utf8")).matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\//gm)].map((m) => m[1]!);
  if (staging.length === 0) throw new UserError(`${KUBERNETES_MODULE}@${KUBERNETES_VERSION}: go.mod lists no staging replaces; the wrapper module needs updating`);
  log(`resolving ${KUBERNETES_MODULE}@${KUBERNETES_VERSION} with ${staging.length} staging modules at ${KUBERNETES_STAGING_VERSION}…`);
  await wrapperModule(
    dir,
    "wafcheck.local/kubetools",
    [`require ${KUBERNETES_MODULE} ${KUBERNETES_VERSION}`, "", ...staging.map((m) => `replace ${m} => ${m} ${KUBERNETES_STAGING_VERSION}`)],
    [`${KUBERNETES_MODULE}/cmd/kube-apiserver`, `${KUBERNETES_MODULE}/cmd/kubectl`],
  );
}

/** A module of our own that requires the programs' module (`lines`), with a build-tagged file importing `packages` so `go mod tidy` records their dependencies. */
async function wrapperModule(dir: string, name: string, lines: string[], packages: string[]): Promise<void> {
  if (await exists(join(dir, "go.sum"))) return;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "go.mod"), [`module ${name}`, "", "go 1.26.0", "", ...lines, ""].join("\n"));
  await writeFile(join(dir, "tools.go"), `//go:build tools\n\npackage tools\n\nimport (\n${packages.map((p) => `\t_ "${p}"\n`).join("")})\n`);
  await go(["mod", "tidy"], dir, `go mod tidy (${name})`);
}

function goInstall(packages: string[], bin: string, cwd?: string) {
  return go(["install", "-trimpath", "-ldflags=-s -w", ...packages], cwd, `go install ${packages.join(" ")}`, { GOBIN: bin });
}

async function go(args: string[], cwd: string | undefined, what: string, env: Record<string, string> = {}) {
  // nice: these builds take minutes of both cores; whatever else runs on the machine keeps priority.
  return execa("nice", ["-n", "19", "go", ...args], { cwd, env: { CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false", ...env } }).catch(
    (error: { stderr?: string; shortMessage?: string }) => {
      throw new UserError(`${what} failed: ${(error.stderr || error.shortMessage || "").trim().split("\n").slice(-3).join(" | ")}`);
    },
  );
}
