// A value the spec says is valid for a schema: the spec's own examples and defaults first, then one generated from
// the schema (openapi-sampler: formats, enums, lengths, patterns, nested objects), each checked with Ajv
// (schema-check.ts) before it is taken. Pure (given the checker).
import { sample } from "openapi-sampler";
import type { JsonSchema } from "./operation.ts";
import type { SchemaChecker } from "./schema-check.ts";

export type Chosen = { value: unknown; problem?: undefined } | { value: unknown; problem: string };

/**
 * The first candidate the schema accepts: the given example, the schema's example(s), default, first enum value,
 * then a generated sample (required properties only, or all of them). Without a valid one: the first candidate
 * (attacks still need a request to put payloads into) and the problem in words.
 */
export function benignValue(schema: JsonSchema, example: unknown, checker: SchemaChecker, requiredOnly = false): Chosen {
  const candidates = [...fromSpec(schema, example), ...generated(schema, requiredOnly)];
  let first: { value: unknown; problem: string } | undefined;
  for (const c of candidates) {
    const problem = c.value === undefined ? "no value" : checker.check(schema, c.value);
    if (problem === undefined) return { value: c.value };
    first ??= { value: c.value, problem: `${c.from} ${JSON.stringify(c.value)?.slice(0, 60)}: ${problem}` };
  }
  return first ?? { value: undefined, problem: "no candidate value" };
}

function fromSpec(schema: JsonSchema, example: unknown): Array<{ from: string; value: unknown }> {
  const out: Array<{ from: string; value: unknown }> = [];
  if (example !== undefined) out.push({ from: "example", value: example });
  if (schema.example !== undefined) out.push({ from: "schema example", value: schema.example });
  if (Array.isArray(schema.examples) && schema.examples.length > 0) out.push({ from: "schema examples", value: schema.examples[0] });
  if (schema.default !== undefined) out.push({ from: "default", value: schema.default });
  if (Array.isArray(schema.enum) && schema.enum.length > 0) out.push({ from: "enum", value: schema.enum.find((v) => v !== null) ?? schema.enum[0] });
  return out;
}

function generated(schema: JsonSchema, requiredOnly: boolean): Array<{ from: string; value: unknown }> {
  const out: Array<{ from: string; value: unknown }> = [];
  for (const enablePatterns of [true, false]) {
    try {
      out.push({ from: "generated", value: sample(schema as never, { skipReadOnly: true, skipNonRequired: requiredOnly, quiet: true, enablePatterns, maxSampleDepth: 8 }) });
    } catch (error) {
      out.push({ from: `generator failed (${(error as Error).message.split("\n")[0]})`, value: undefined });
    }
  }
  return out;
}
