import type { PullSecretInput } from "./pull-secret.ts";
import { pullSecretYaml } from "./pull-secret.ts";
import type { Stdin, Step } from "./plan.ts";

/** `secret`: create or update the pull secret in the WasmPlugin's namespace (the tutorial's warning). */
export function planSecret(input: PullSecretInput & { context?: string }): Step[] {
  return [
    {
      title: `create or update docker-registry secret ${input.namespace}/${input.name} for ${input.server} (same namespace as the WasmPlugin)`,
      action: {
        kind: "exec",
        argv: [...kubectl(input.context), "apply", "-f", "-"],
        stdin: { text: pullSecretYaml(input, false), shown: { from: "heredoc", text: pullSecretYaml(input, true) } satisfies Stdin },
      },
    },
  ];
}

/** `apply`: the rendered WasmPlugin, on standard input. */
export function planApply(input: { yaml: string; namespace: string; name: string; context?: string }): Step[] {
  return [
    {
      title: `apply WasmPlugin ${input.namespace}/${input.name}`,
      action: { kind: "exec", argv: [...kubectl(input.context), "apply", "-f", "-"], stdin: { text: input.yaml, shown: { from: "heredoc", text: input.yaml } } },
    },
  ];
}

function kubectl(context: string | undefined): string[] {
  return context ? ["kubectl", "--context", context] : ["kubectl"];
}
