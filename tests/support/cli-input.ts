import { join } from "node:path";
import { execa } from "execa";
import { ROOT, type CliResult } from "./cli.ts";

/** runCli with text piped to standard input (e.g. `--password-stdin`), as `printf '%s' … | npm run …` would. */
export async function runCliWithInput(name: string, env: Record<string, string>, args: string[], input: string, timeoutMs = 300_000): Promise<CliResult> {
  const result = await execa(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts", `${name}.ts`), ...args], {
    cwd: ROOT,
    env: { ...env, CI: "true" },
    input,
    reject: false,
    timeout: timeoutMs,
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
