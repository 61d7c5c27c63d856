import { parseYamlText } from "../config/index.ts";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { ftwOutputSchema, type FtwTest } from "./schema.ts";

/**
 * What a platform may change about the CRS tests, in the two formats users already have:
 * - go-ftw's config (`.ftw.yaml`): `testoverride.ignore` / `forcepass` / `forcefail`, each a map of test-id regular
 *   expression → reason; the plug-in's own Envoy ignore list (its ftw/ftw.yml) is one of these;
 * - CRS's platform overrides file (ftw-tests-schema `overrides`): `test_overrides[]` replacing a test's expected
 *   `output` for some of a rule's tests and stages, with a reason.
 */

/** One entry of an ignore/force list: test ids matching `pattern`, with why, and which file said so. */
export interface TestRule {
  pattern: RegExp;
  key: string;
  reason: string;
  source: string;
}

export interface FtwPolicy {
  ignore: TestRule[];
  forcePass: TestRule[];
  forceFail: TestRule[];
}

export type ForcedOutcome = "ignored" | "forced-pass" | "forced-fail";

export const emptyPolicy = (): FtwPolicy => ({ ignore: [], forcePass: [], forceFail: [] });

export function mergePolicies(...policies: FtwPolicy[]): FtwPolicy {
  return {
    ignore: policies.flatMap((p) => p.ignore),
    forcePass: policies.flatMap((p) => p.forcePass),
    forceFail: policies.flatMap((p) => p.forceFail),
  };
}

/** A test the lists settle without sending it, in go-ftw's order of precedence: ignore, then forcefail, then forcepass. */
export function forcedOutcome(testId: string, policy: FtwPolicy): { outcome: ForcedOutcome; reason: string } | undefined {
  const lists: Array<[ForcedOutcome, TestRule[]]> = [
    ["ignored", policy.ignore],
    ["forced-fail", policy.forceFail],
    ["forced-pass", policy.forcePass],
  ];
  for (const [outcome, rules] of lists) {
    const rule = rules.find((r) => r.pattern.test(testId));
    if (rule) return { outcome, reason: `${rule.reason} (${rule.source}: '${rule.key}')` };
  }
  return undefined;
}

const reasonMap = z.record(z.string(), z.string()).nullable().optional();
/** go-ftw's config: only `testoverride`'s lists mean something here; the rest configures go-ftw's own log reading. */
const ftwConfigSchema = z.looseObject({
  testoverride: z
    .strictObject({ input: z.looseObject({}).nullable().optional(), ignore: reasonMap, forcepass: reasonMap, forcefail: reasonMap })
    .nullable()
    .optional(),
});
/** Parses a go-ftw config file; `notApplied` names what it says that wafcheck does its own way (to be told, not silently dropped). */
export function parseFtwConfig(text: string, source: string): { policy: FtwPolicy; notApplied: string[] } {
  const raw = parseYamlText(text, source);
  const parsed = ftwConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw schemaError(source, parsed.error.issues[0]!);
  const lists = parsed.data.testoverride ?? {};
  const rules = (list: "ignore" | "forcepass" | "forcefail") =>
    Object.entries(lists[list] ?? {}).map(([key, reason]) => ({ pattern: idRegex(key, `${source}: testoverride.${list}`), key, reason: reason.trim(), source }));
  const notApplied = [
    // logfile, log markers, mode: wafcheck reads the WAF's log per request and takes the mode from WAF_TARGET.
    ...Object.keys(parsed.data).filter((k) => k !== "testoverride"),
    ...(lists.input ? ["testoverride.input (the target comes from WAF_TARGET)"] : []),
  ];
  return { policy: { ignore: rules("ignore"), forcePass: rules("forcepass"), forceFail: rules("forcefail") }, notApplied };
}

const platformOverridesSchema = z.strictObject({
  version: z.string().optional(),
  meta: z.looseObject({}).nullable().optional(),
  test_overrides: z.array(
    z.strictObject({
      rule_id: z.number().int(),
      test_ids: z.array(z.number().int()).optional(),
      /** Zero-based, as go-ftw applies them. */
      stage_ids: z.array(z.number().int().min(0)).optional(),
      reason: z.string().min(1, "every override needs a reason"),
      retry_once: z.boolean().optional(),
      output: ftwOutputSchema,
    }),
  ),
});
export type PlatformOverrides = z.infer<typeof platformOverridesSchema>;

export function parsePlatformOverrides(text: string, source: string): PlatformOverrides {
  const parsed = platformOverridesSchema.safeParse(parseYamlText(text, source));
  if (!parsed.success) throw schemaError(source, parsed.error.issues[0]!);
  return parsed.data;
}

/** A test after the platform's overrides: the replaced stage outputs, and the reason, which the report shows. */
export type OverriddenTest = FtwTest & { override?: string };

/** Replaces the expected output of the tests and stages an override names (all of a rule's tests when it lists none). */
export function applyPlatformOverrides(tests: readonly FtwTest[], overrides: PlatformOverrides, source: string): OverriddenTest[] {
  return tests.map((test) => {
    const matching = overrides.test_overrides.filter((o) => o.rule_id === test.ruleId && (o.test_ids === undefined || o.test_ids.includes(test.testId)));
    if (matching.length === 0) return test;
    const stages = test.stages.map((stage, index) => {
      const o = [...matching].reverse().find((m) => m.stage_ids === undefined || m.stage_ids.includes(index));
      return o ? { ...stage, output: { ...o.output, ...(o.retry_once !== undefined && { retry_once: o.retry_once }) } } : stage;
    });
    return { ...test, stages, override: `${matching.map((m) => m.reason.trim()).join("; ")} (${source})` };
  });
}

function schemaError(source: string, issue: z.core.$ZodIssue): UserError {
  return new UserError(`${source}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
}

function idRegex(key: string, where: string): RegExp {
  try {
    return new RegExp(key);
  } catch (error) {
    throw new UserError(`${where}: '${key}' is not a regular expression (${(error as Error).message})`);
  }
}
