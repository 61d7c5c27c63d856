import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { Agent, fetch as undiciFetch } from "undici";
import { stringify } from "yaml";
import { UserError } from "../errors.ts";
import { freePort, startProcess, waitReady, type Managed } from "./process.ts";

/** etcd + kube-apiserver on 127.0.0.1, and a kubectl bound to them (admin token, in a kubeconfig of our own). */
export interface KubeControlPlane {
  server: string;
  kubeconfig: string;
  processes: Managed[];
  /** kubectl with this cluster's kubeconfig; `input` goes to its standard input. */
  kubectl(args: string[], input?: string): Promise<string>;
}

export interface KubeBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
}

/**
 * The API server a real istiod needs (istiod without one panics at this commit, and only its Kubernetes
 * config store turns a WasmPlugin into config). The default endpoint reconciler refuses a loopback address,
 * so it is off; service-account tokens are signed with a key made here, so TokenRequest/TokenReview work.
 */
export async function startKube(bin: KubeBinaries, dir: string, log: (line: string) => void): Promise<KubeControlPlane> {
  await mkdir(join(dir, "etcd"), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, "apiserver"), { recursive: true, mode: 0o700 });
  const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
  const processes: Managed[] = [];
  const etcdUrl = `http://127.0.0.1:${client}`;
  const etcd = startProcess(
    "etcd",
    bin.etcd,
    [
      "--name=local-istio",
      `--data-dir=${join(dir, "etcd/data")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=local-istio=http://127.0.0.1:${peer}`,
      "--log-level=warn",
    ],
    { cwd: dir, logFile: join(dir, "etcd.log") },
  );
  processes.push(etcd);
  await waitReady(etcd, 60, "a healthy etcd", async () => (await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(1000) })).ok);

  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const token = randomBytes(24).toString("hex");
  const files = join(dir, "apiserver");
  await writeFile(join(files, "sa.pub"), publicKey);
  await writeFile(join(files, "sa.key"), privateKey, { mode: 0o600 });
  await writeFile(join(files, "tokens.csv"), `${token},local-admin,local-admin,"system:masters"\n`, { mode: 0o600 });
  const server = `https://127.0.0.1:${secure}`;
  const apiserver = startProcess(
    "kube-apiserver",
    bin.kubeApiserver,
    [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${secure}`,
      "--endpoint-reconciler-type=none",
      `--cert-dir=${join(files, "certs")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(files, "sa.pub")}`,
      `--service-account-signing-key-file=${join(files, "sa.key")}`,
      `--token-auth-file=${join(files, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.96.0.0/16",
      "--enable-priority-and-fairness=false",
      "--v=0",
    ],
    { cwd: dir, logFile: join(dir, "kube-apiserver.log") },
  );
  processes.push(apiserver);
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "local-istio", cluster: { server, "insecure-skip-tls-verify": true } }],
      users: [{ name: "local-admin", user: { token } }],
      contexts: [{ name: "local-istio", context: { cluster: "local-istio", user: "local-admin" } }],
      "current-context": "local-istio",
    }),
    { mode: 0o600 },
  );
  // The API server's certificate is self-signed (made at start in --cert-dir): readiness is checked without trust.
  const selfSigned = new Agent({ connect: { rejectUnauthorized: false } });
  await waitReady(apiserver, 120, "a ready API server (/readyz)", async () => {
    const r = await undiciFetch(`${server}/readyz`, { headers: { authorization: `Bearer ${token}` }, dispatcher: selfSigned, signal: AbortSignal.timeout(3000) });
    return r.status === 200;
  });
  await selfSigned.close();
  log(`API server up at ${server} (etcd ${etcdUrl})`);
  const kubectl = async (args: string[], input?: string) => {
    const r = await execa(bin.kubectl, ["--kubeconfig", kubeconfig, ...args], { input, reject: false, timeout: 120_000 });
    if (r.exitCode !== 0) throw new UserError(`kubectl ${args.slice(0, 3).join(" ")} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-2).join(" | ")}`);
    return r.stdout;
  };
  return { server, kubeconfig, processes, kubectl };
}
