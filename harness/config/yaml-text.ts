import { parseDocument } from "yaml";
import { UserError } from "../errors.ts";

/** A user's YAML file as plain data; a syntax error is one line naming the file and line: `f.yaml:3: invalid YAML: …`. */
export function parseYamlText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new UserError(`${source}${line ? `:${line}` : ""}: invalid YAML: ${first.message.split("\n")[0]}`);
  }
  return doc.toJS();
}
