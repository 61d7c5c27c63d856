// `npx playwright test` run directly: validate the inputs, start the local stack (or name the remote target) and
// write the run context, as `npm run waf` does before it starts Playwright. With WAF_RUN_CONTEXT set (npm run waf),
// this does nothing.
import type { FullConfig } from "@playwright/test";
import { parseEnv } from "../harness/config/index.ts";
import { loadRunInputs, prepareRun } from "../harness/run/index.ts";
import { hasRunContext, RUN_CONTEXT_VARIABLE } from "../harness/engine/index.ts";
import { startLocalStack, type StartedStack } from "../harness/stack/index.ts";
import { loadRemoteTarget } from "../harness/targets/index.ts";

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  if (hasRunContext()) return async () => undefined;
  const env = parseEnv();
  const inputs = await loadRunInputs(env);
  let stack: StartedStack | undefined;
  let target: { name: string; url: string };
  if (env.WAF_TARGET === "local") {
    stack = await startLocalStack({ manifest: inputs.manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log: (l) => console.log(`[stack] ${l}`) });
    target = { name: "local", url: stack.gatewayUrl };
  } else {
    const remote = await loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
    target = { name: remote.name, url: remote.baseUrl };
  }
  const run = await prepareRun(inputs, { target, stack: stack?.info() });
  process.env[RUN_CONTEXT_VARIABLE] = run.contextFile; // workers and reporters inherit it
  return async () => {
    await stack?.stop();
    await run.cleanup();
  };
}
