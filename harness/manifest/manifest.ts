import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";
import { closestMatch, parseYamlText } from "../config/index.ts";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { pluginConfigSha256 } from "./canonical-json.ts";

/** The Coraza plug-in's configuration keys (what it reads from pluginConfig); unknown keys are typos. */
export const corazaPluginConfigSchema = z
  .strictObject({
    directives_map: z.record(z.string(), z.array(z.string()).min(1, "a directive set needs at least one directive")),
    default_directives: z.string().min(1),
    per_authority_directives: z.record(z.string(), z.string()).optional(),
    metric_labels: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((config, ctx) => {
    const names = Object.keys(config.directives_map);
    const check = (name: string, path: (string | number)[]) => {
      if (!names.includes(name))
        ctx.addIssue({ code: "custom", path, message: `names directive set "${name}", which directives_map lacks (has: ${names.join(", ")})` });
    };
    check(config.default_directives, ["default_directives"]);
    for (const [host, name] of Object.entries(config.per_authority_directives ?? {}))
      check(name, ["per_authority_directives", host]);
  });

export type CorazaPluginConfig = z.infer<typeof corazaPluginConfigSchema>;

/** Fields Istio's WasmPlugin spec defines; anything else is most likely a typo that Kubernetes would prune. */
const KNOWN_SPEC_FIELDS = new Set([
  "selector", "targetRef", "targetRefs", "url", "sha256", "imagePullPolicy", "imagePullSecret", "pluginConfig",
  "pluginName", "phase", "priority", "failStrategy", "vmConfig", "match", "type",
]);

export interface LoadedManifest {
  /** The manifest file it came from (for messages). */
  source: string;
  /** The validated WasmPlugin object as written. */
  resource: Record<string, unknown> & { spec: Record<string, unknown> };
  pluginConfig: CorazaPluginConfig;
  pluginConfigSha256: string;
  /** spec.vmConfig.env (INLINE values): the plug-in VM's environment, e.g. GOGC; absent when the manifest sets none. */
  vmEnv?: Record<string, string>;
}

/** Parses and validates a WasmPlugin manifest (YAML text). Every error is one line naming file and field. */
export function parseManifest(text: string, source: string): LoadedManifest {
  const raw = parseYamlText(text, source);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UserError(`${source}: expected a WasmPlugin object`);
  const obj = raw as Record<string, unknown>;
  if (obj.apiVersion !== "extensions.istio.io/v1alpha1" || obj.kind !== "WasmPlugin")
    throw new UserError(
      `${source}: apiVersion/kind must be extensions.istio.io/v1alpha1 WasmPlugin (got ${String(obj.apiVersion)} ${String(obj.kind)})`,
    );
  const spec = obj.spec;
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw new UserError(`${source}: spec is missing`);
  for (const key of Object.keys(spec)) {
    if (!KNOWN_SPEC_FIELDS.has(key)) throw new UserError(`${source}: spec.${key} is not a WasmPlugin field${suggest(key, KNOWN_SPEC_FIELDS)}`);
  }
  validateWithIstioSchema(obj, source);

  const parsed = corazaPluginConfigSchema.safeParse((spec as Record<string, unknown>).pluginConfig);
  if (!parsed.success) {
    // A misspelt key also makes the real key "missing": name the misspelling, it is the cause.
    const issue = parsed.error.issues.find((i) => i.code === "unrecognized_keys") ?? parsed.error.issues[0]!;
    const path = ["spec", "pluginConfig", ...issue.path.map(String)].join(".");
    const unknownKey = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const hint = unknownKey ? suggest(unknownKey, new Set(["directives_map", "default_directives", "per_authority_directives", "metric_labels"])) : "";
    throw new UserError(`${source}: ${path}: ${issue.message}${hint}`);
  }
  const vmEnv = vmEnvOf((spec as Record<string, unknown>).vmConfig, source);
  return {
    source,
    resource: obj as LoadedManifest["resource"],
    pluginConfig: parsed.data,
    pluginConfigSha256: pluginConfigSha256((spec as Record<string, unknown>).pluginConfig),
    ...(vmEnv && { vmEnv }),
  };
}

/**
 * spec.vmConfig.env (already checked against Istio's schema) as name → value. Only INLINE values (the default): a
 * HOST value comes from the gateway's own environment, which a local stack does not have.
 */
export function vmEnvOf(vmConfig: unknown, source: string): Record<string, string> | undefined {
  const env = (vmConfig as { env?: Array<{ name?: string; value?: string; valueFrom?: string }> } | undefined)?.env;
  if (!env?.length) return undefined;
  const out: Record<string, string> = {};
  for (const [i, entry] of env.entries()) {
    if (!entry.name) throw new UserError(`${source}: spec.vmConfig.env.${i}.name is missing`);
    if (entry.valueFrom !== undefined && entry.valueFrom !== "INLINE")
      throw new UserError(`${source}: spec.vmConfig.env.${i} (${entry.name}): valueFrom ${entry.valueFrom} is not supported locally (INLINE values only)`);
    out[entry.name] = entry.value ?? "";
  }
  return out;
}

/** Istio's own WasmPlugin schema (from @kubernetes-models/istio), not a copy of it. */
export function validateWithIstioSchema(obj: Record<string, unknown>, source: string): void {
  try {
    new WasmPlugin(obj as ConstructorParameters<typeof WasmPlugin>[0]).validate();
  } catch (error) {
    const first = (error as { errors?: Array<{ instancePath?: string; message?: string; params?: { allowedValues?: unknown[] } }> }).errors?.[0];
    if (!first) throw new UserError(`${source}: ${(error as Error).message}`);
    const field = (first.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".") || "(root)";
    const allowed = first.params?.allowedValues ? ` (allowed: ${first.params.allowedValues.join(", ")})` : "";
    throw new UserError(`${source}: ${field}: ${first.message}${allowed}`);
  }
}

function suggest(word: string, candidates: Set<string>): string {
  const best = closestMatch(word, candidates);
  return best ? ` (did you mean ${best}?)` : "";
}
