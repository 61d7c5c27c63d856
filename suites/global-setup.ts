// Starts the local stack once per run when Playwright is invoked directly (`npx playwright test`);
// `npm run waf` starts it itself and passes WAF_STACK_FILE, in which case this does nothing.
import type { FullConfig } from "@playwright/test";
import { parseEnv } from "../harness/config/env.ts";
import { loadRunManifest } from "../harness/manifest/load-manifest.ts";
import { writeStackFile } from "../harness/stack/stack-file.ts";
import { startLocalStack } from "../harness/stack/stack.ts";

export default async function globalSetup(_config: FullConfig): Promise<(() => Promise<void>) | void> {
  const env = parseEnv();
  if (env.WAF_TARGET !== "local" || env.WAF_STACK_FILE) return;
  const manifest = await loadRunManifest(env);
  const stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, log: (l) => console.log(`[stack] ${l}`) });
  process.env.WAF_STACK_FILE = await writeStackFile(stack.info());
  return () => stack.stop();
}
