import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { UserError } from "../errors.ts";

/** Fetches a module through the Go module proxy into the module cache (once) and checks its hash; returns its folder. */
export async function goModule(path: string, version: string, sum: string | undefined): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "wafcheck-gomod-"));
  try {
    const { stdout } = await execa("go", ["mod", "download", "-json", `${path}@${version}`], { cwd: scratch, env: { GOFLAGS: "-mod=mod", GOSUMDB: "off" } }).catch(
      (error: { stdout?: string; shortMessage?: string }) => {
        throw new UserError(`go mod download ${path}@${version} failed: ${(error.stdout ?? error.shortMessage ?? "").trim().split("\n").slice(-3).join(" | ")}`);
      },
    );
    const info = JSON.parse(stdout) as { Dir: string; Sum: string };
    if (sum && info.Sum !== sum) throw new UserError(`${path}@${version}: module hash ${info.Sum} is not the pinned ${sum}`);
    return info.Dir;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

