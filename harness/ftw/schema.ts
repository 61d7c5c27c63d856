import { z } from "zod";

/**
 * The ftw test format (schema v2, as the Core Rule Set's regression tests use it; a few v3 additions read).
 * Strict: an unknown key is most likely a typo that would silently drop an assertion.
 */
const idList = z.array(z.number().int());

export const ftwLogSchema = z.strictObject({
  expect_ids: idList.optional(),
  no_expect_ids: idList.optional(),
  /** A typo in CRS 4.14's own tests (one file): read as no_expect_ids, as its author meant. */
  no_expectids: idList.optional(),
  match_regex: z.string().optional(),
  no_match_regex: z.string().optional(),
});

export const ftwOutputSchema = z.strictObject({
  status: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  response_contains: z.string().optional(),
  log: ftwLogSchema.optional(),
  /** Deprecated v1 forms: regexes over the request's log lines. */
  log_contains: z.string().optional(),
  no_log_contains: z.string().optional(),
  expect_error: z.boolean().optional(),
  retry_once: z.boolean().optional(),
  isolated: z.boolean().optional(),
});

const headerValue = z.union([z.string(), z.number()]).transform(String);

export const ftwInputSchema = z.strictObject({
  dest_addr: z.string().optional(),
  port: z.number().int().optional(),
  protocol: z.enum(["http", "https"]).optional(),
  method: z.string().optional(),
  uri: z.string().optional(),
  version: z.string().optional(),
  headers: z.record(z.string(), headerValue).optional(),
  ordered_headers: z.array(z.strictObject({ name: z.string(), value: headerValue })).optional(),
  data: z.string().optional(),
  encoded_data: z.string().optional(),
  encoded_request: z.string().optional(),
  autocomplete_headers: z.boolean().optional(),
  stop_magic: z.boolean().optional(),
  save_cookie: z.boolean().optional(),
  virtual_host_mode: z.boolean().optional(),
});

export const ftwStageSchema = z.strictObject({ input: ftwInputSchema, output: ftwOutputSchema, description: z.string().optional() });

export const ftwTestSchema = z.strictObject({
  test_id: z.number().int(),
  rule_id: z.number().int().optional(),
  desc: z.string().optional(),
  tags: z.array(z.string()).optional(),
  stages: z.array(ftwStageSchema).min(1, "a test needs at least one stage"),
});

export const ftwFileSchema = z.strictObject({
  meta: z.looseObject({}).nullable().optional(),
  /** One CRS 4.14 file carries its author at the top level. */
  author: z.string().optional(),
  rule_id: z.number().int().optional(),
  tests: z.array(ftwTestSchema).min(1),
});

export type FtwInput = z.infer<typeof ftwInputSchema>;
export type FtwOutput = z.infer<typeof ftwOutputSchema>;
export type FtwStage = z.infer<typeof ftwStageSchema>;
export type FtwFile = z.infer<typeof ftwFileSchema>;

/** One test as the runner takes it: `<rule_id>-<test_id>` (go-ftw's naming), its file and stages. */
export interface FtwTest {
  id: string;
  ruleId: number;
  testId: number;
  file: string;
  /** The rule file's folder, e.g. REQUEST-942-APPLICATION-ATTACK-SQLI. */
  ruleFile: string;
  desc?: string;
  stages: FtwStage[];
}
