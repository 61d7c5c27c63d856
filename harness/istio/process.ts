import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { request } from "undici";
import { UserError } from "../errors.ts";

/** One program of the local Istio, run as a process on this machine; its output goes to a log file. */
export interface Managed {
  name: string;
  logFile: string;
  pid: number | undefined;
  exited(): boolean;
  /** The last lines of its log (for a one-line error). */
  tail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Children still running: killed when this process exits without stopping them (a crash, process.exit). */
const live = new Set<ChildProcess>();
let exitHook = false;

export function startProcess(name: string, binary: string, args: string[], options: { cwd: string; env?: Record<string, string>; logFile: string }): Managed {
  const log = createWriteStream(options.logFile, { flags: "a" });
  // Its own process group: what it starts (pilot-agent's Envoy) can be stopped with it, whatever happens to it.
  const child: ChildProcess = spawn(binary, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  live.add(child);
  child.once("close", () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of live) killGroup(c.pid);
    });
  }
  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const tail = async (lines = 3) =>
    spawnError?.message ??
    (await readFile(options.logFile, "utf8").catch(() => ""))
      .trim()
      .split("\n")
      .slice(-lines)
      .join(" | ");
  return {
    name,
    logFile: options.logFile,
    pid: child.pid,
    exited: () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null,
    tail,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && !spawnError) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGKILL");
          await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        }
      }
      killGroup(child.pid); // anything it left behind (pilot-agent's Envoy)
      log.end();
    },
  };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is gone already
  }
}

/**
 * Waits until `ready()` says yes, polling every 500 ms for at most `seconds`; fails at once (with its log's
 * last lines) when the process exits first.
 */
export async function waitReady(proc: Managed, seconds: number, what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new UserError(`${proc.name} exited before ${what}: ${await proc.tail()} (log: ${proc.logFile})`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new UserError(`${proc.name}: no ${what} within ${seconds} s: ${await proc.tail()} (log: ${proc.logFile})`);
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it): the registry's, shared. */
export { freePort } from "../asm/index.ts";

/** The status of `GET url` sent with this Host (0 when nothing answered). fetch() cannot set Host; undici's request can. */
export async function statusWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const r = await request(url, { headers: { host, ...headers }, headersTimeout: 3000, bodyTimeout: 3000 });
    await r.body.dump();
    return r.statusCode;
  } catch {
    return 0;
  }
}
