import { UserError } from "../errors.ts";
import { localTarget } from "../targets/local-target.ts";
import type { Target } from "../targets/target.ts";
import { loadRemoteTarget } from "../targets/targets-file.ts";
import type { RunContext } from "./run-context.ts";

/** The Target a run uses: the local stack the run started, or the named remote gateway. */
export async function resolveRunTarget(run: Pick<RunContext, "target" | "stack" | "hostHeader" | "http">): Promise<Target> {
  if (run.target.name === "local") {
    if (!run.stack) throw new UserError("WAF_TARGET=local but no local stack is running (start suites with npm run waf)");
    return localTarget(run.stack, run.hostHeader, run.http);
  }
  const remote = await loadRemoteTarget(run.target.name, run.target.targetsFile);
  return run.http === "2" ? { ...remote, http: "2" } : remote;
}
