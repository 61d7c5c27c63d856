import { UserError } from "../errors.ts";
import { localTarget } from "./local-target.ts";
import type { HttpVersion, Target } from "../http/index.ts";
import { loadRemoteTarget } from "./targets-file.ts";
import type { StackInfo } from "../stack/index.ts";

/** The fields of the run context (RunContext, harness/engine/run-context.ts) a run's Target follows from. */
export interface RunTargetInput {
  target: { name: string; targetsFile: string };
  stack: StackInfo | null;
  hostHeader?: string;
  http?: HttpVersion;
}

/** The Target a run uses: the local stack the run started, or the named remote gateway. */
export async function resolveRunTarget(run: RunTargetInput): Promise<Target> {
  if (run.target.name === "local") {
    if (!run.stack) throw new UserError("WAF_TARGET=local but no local stack is running (start suites with npm run waf)");
    return localTarget(run.stack, run.hostHeader, run.http);
  }
  const remote = await loadRemoteTarget(run.target.name, run.target.targetsFile);
  return run.http === "2" ? { ...remote, http: "2" } : remote;
}
