// "The spec says it is valid": a benign value is checked against its schema with Ajv before it is sent. OpenAPI 3.0
// schemas are a dialect of JSON Schema draft 4/7 (nullable, boolean exclusiveMinimum); they are converted first.
// OpenAPI 3.1 schemas are JSON Schema 2020-12. Formats are not asserted (the sampler writes them; Ajv has no
// format vocabulary without a plug-in), unknown keywords (example, xml, x-…) are ignored.
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { JsonSchema } from "./operation.ts";

export type Dialect = "3.0" | "3.1";

export class SchemaChecker {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<object, ValidateFunction | string>();
  private readonly converted = new WeakMap<object, unknown>();

  constructor(private readonly dialect: Dialect) {
    const options = { strict: false, validateFormats: false, allErrors: false, logger: false as const };
    this.ajv = dialect === "3.1" ? new Ajv2020(options) : new Ajv(options);
  }

  /** undefined when the value is valid; else the first problem in one line. */
  check(schema: JsonSchema, value: unknown): string | undefined {
    const validate = this.validator(schema);
    if (typeof validate === "string") return `schema not checkable: ${validate}`;
    if (validate(value)) return undefined;
    const e = validate.errors?.[0];
    return e ? `${e.instancePath || "value"} ${e.message ?? "is invalid"}` : "invalid";
  }

  private validator(schema: JsonSchema): ValidateFunction | string {
    const known = this.compiled.get(schema);
    if (known) return known;
    let out: ValidateFunction | string;
    try {
      out = this.ajv.compile((this.dialect === "3.0" ? this.convert(schema) : schema) as object);
    } catch (error) {
      out = (error as Error).message.split("\n")[0]!;
    }
    this.compiled.set(schema, out);
    return out;
  }

  /** OpenAPI 3.0 → JSON Schema: nullable becomes a null type, boolean exclusive bounds become numbers. Memoized per object (dereferenced specs share them). */
  private convert(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.convert(n));
    if (!node || typeof node !== "object") return node;
    const seen = this.converted.get(node);
    if (seen) return seen;
    const out: Record<string, unknown> = {};
    this.converted.set(node, out);
    for (const [k, v] of Object.entries(node)) {
      // Values of these keywords are data, not schemas.
      out[k] = k === "enum" || k === "const" || k === "default" || k === "example" || k === "examples" || k.startsWith("x-") ? v : this.convert(v);
    }
    if (out.nullable === true) {
      if (typeof out.type === "string") out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    delete out.nullable;
    for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
      if (out[flag] === true && typeof out[bound] === "number") {
        out[flag] = out[bound];
        delete out[bound];
      } else if (typeof out[flag] === "boolean") delete out[flag];
    }
    return out;
  }
}
