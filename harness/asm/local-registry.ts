import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { stringify } from "yaml";
import { UserError } from "../errors.ts";

export interface LocalRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references. */
  host: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * A real OCI registry (Debian's `docker-registry`, i.e. distribution 2.8) on 127.0.0.1 with filesystem
 * storage in a temp dir and htpasswd basic auth. Its own config and a free port: the Debian package's
 * system service (port 5000) is never used. For tests and the stand-in walkthrough.
 */
export async function startLocalRegistry(options: { username?: string; password?: string; binary?: string; log?: (line: string) => void } = {}): Promise<LocalRegistry> {
  const binary = options.binary ?? "docker-registry";
  const username = options.username ?? "wafcheck";
  const password = options.password ?? randomBytes(18).toString("base64url");
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  await writeFile(join(dir, "htpasswd"), `${username}:${bcrypt.hashSync(password, 10)}\n`, { mode: 0o600 });
  const config = {
    version: 0.1,
    log: { level: "warn", accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, "data") }, delete: { enabled: true } },
    http: { addr: host, secret: randomBytes(16).toString("hex") },
    // The realm is only a label for Basic auth, but istio-agent (1.31) refuses any 401 whose realm is not an
    // http(s) URL on a public-looking host ("rejected unsafe bearer realm"): a URL that is never fetched.
    auth: { htpasswd: { realm: "https://registry.wafcheck.test/", path: join(dir, "htpasswd") } },
  };
  await writeFile(join(dir, "config.yml"), stringify(config), { mode: 0o600 });

  const child: ChildProcess = spawn(binary, ["serve", join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString("utf8")).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // A crash or process.exit without stop() must not leave the registry running.
  const orphanGuard = () => child.kill("SIGKILL");
  process.once("exit", orphanGuard);
  void exited.then(() => process.off("exit", orphanGuard));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Ready when /v2/ answers 401 (auth is on); bounded: 50 tries, 200 ms apart.
  for (let i = 0; i < 50; i++) {
    const failed = await Promise.race([spawnError, exited.then((code) => new Error(`exited with ${code}`)), new Promise<undefined>((r) => setTimeout(r, 200, undefined))]);
    if (failed) {
      await stop();
      if ((failed as NodeJS.ErrnoException).code === "ENOENT")
        throw new UserError(`${binary} not found: install Debian's docker-registry package (bash scripts/setup-registry.sh)`);
      throw new UserError(`${binary} serve failed: ${failed.message}: ${output.trim().split("\n").slice(-2).join(" | ")}`);
    }
    const status = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status, () => 0);
    if (status === 401) {
      options.log?.(`registry up on ${host} (htpasswd auth, storage in ${dir})`);
      return { host, username, password, stop };
    }
  }
  await stop();
  throw new UserError(`${binary} did not answer on ${host} within 10 s: ${output.trim().split("\n").slice(-2).join(" | ")}`);
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
