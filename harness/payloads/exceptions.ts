import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.ts";

/** An accepted gap: a case (or one request) that may pass the WAF without failing the run. */
const exceptionSchema = z.strictObject({
  id: z.string().min(1),
  reason: z.string().min(10, "say why the gap is accepted"),
  date: z.iso.date(),
});

const fileSchema = z.strictObject({ exceptions: z.array(exceptionSchema) });

/** The accepted-gaps file a payload directory may hold (it is not a case file). */
export const EXCEPTIONS_FILE = "exceptions.yaml";

export type AcceptedGap = z.infer<typeof exceptionSchema> & { source: string };

/** Reads `exceptions.yaml` from each payload directory that has one; one-line errors name file and entry. */
export function loadExceptions(dirs: readonly string[]): AcceptedGap[] {
  const out: AcceptedGap[] = [];
  for (const dir of dirs) {
    const file = join(dir, EXCEPTIONS_FILE);
    if (!existsSync(file)) continue;
    const parsed = fileSchema.safeParse(parse(readFileSync(file, "utf8")));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserError(`${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    out.push(...parsed.data.exceptions.map((e) => ({ ...e, source: file })));
  }
  return out;
}

/** The gap that covers a request: by request id or by its case id. */
export function findGap(gaps: readonly AcceptedGap[], requestId: string, caseId: string): AcceptedGap | undefined {
  return gaps.find((g) => g.id === requestId || g.id === caseId);
}
