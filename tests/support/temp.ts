// Temporary directories for integration tests. Their reports hold every payload a run sent, so they are removed
// when the test file's process exits, unless it failed (then they stay for a look) or WAFCHECK_KEEP_TEST_DIRS=1.
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

process.on("exit", (code) => {
  if (code !== 0 || process.env.WAFCHECK_KEEP_TEST_DIRS === "1") return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new directory under the system temp dir, named `<prefix>XXXXXX`, removed when this test file is done. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
