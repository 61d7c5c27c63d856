import type { WafEnv } from "../config/env.ts";
import { UserError } from "../errors.ts";
import { readStackFile } from "../stack/stack-file.ts";
import { localTarget } from "./local-target.ts";
import type { Target } from "./target.ts";
import { loadRemoteTarget } from "./targets-file.ts";

/** The Target a run uses: `local` (the stack that was started for this run) or a named remote gateway. */
export async function resolveTarget(env: WafEnv): Promise<Target> {
  if (env.WAF_TARGET === "local") {
    if (!env.WAF_STACK_FILE) throw new UserError("WAF_TARGET=local but no local stack is running (start suites with npm run waf)");
    return localTarget(readStackFile(env.WAF_STACK_FILE));
  }
  return loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
}
