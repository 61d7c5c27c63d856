/** Writes payloads/schema.json (JSON Schema of a corpus file) so editors validate and complete case files. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { corpusFileSchema } from "./schema.ts";

export function corpusJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(corpusFileSchema, { io: "input", unrepresentable: "any" }),
    title: "wafcheck attack / benign corpus file",
  };
}

export const SCHEMA_PATH = fileURLToPath(new URL("../../payloads/schema.json", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_PATH, `${JSON.stringify(corpusJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${SCHEMA_PATH}`);
}
