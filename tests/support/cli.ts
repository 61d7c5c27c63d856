import { join, resolve } from "node:path";
import { execa } from "execa";
import { tempDir } from "./temp.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's CLIs (scripts/<name>.ts) as a user would, with extra environment. */
export async function runCli(name: string, env: Record<string, string>, args: string[] = [], timeoutMs = 300_000): Promise<CliResult> {
  const result = await execa(TSX, [join(ROOT, "scripts", `${name}.ts`), ...args], {
    cwd: ROOT,
    env: { ...env, CI: "true" },
    reject: false,
    timeout: timeoutMs,
    all: false,
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export async function tempReports(): Promise<string> {
  return tempDir("wafcheck-reports-");
}

export const example = (name: string) => join(ROOT, "envoy-local/examples", name);
