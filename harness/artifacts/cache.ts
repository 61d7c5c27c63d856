import { homedir } from "node:os";
import { join } from "node:path";
import { mkdir, stat } from "node:fs/promises";

/**
 * Built artifacts (Envoy wheel, httpbin binary, plug-in builds) live outside the clone so that a fresh
 * checkout on the same machine, and CI, reuse them. Override with WAFCHECK_CACHE.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WAFCHECK_CACHE) return env.WAFCHECK_CACHE;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "wafcheck");
}

export async function cacheDir(...parts: string[]): Promise<string> {
  const dir = join(cacheRoot(), ...parts);
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
