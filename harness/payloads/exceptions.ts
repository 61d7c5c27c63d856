import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { closestMatch } from "../config/index.ts";
import { UserError } from "../errors.ts";

/** An accepted gap: a case (or one request) that may pass the WAF without failing the run. */
const exceptionSchema = z.strictObject({
  id: z.string().min(1),
  reason: z.string().min(10, "say why the gap is accepted"),
  date: z.iso.date(),
});

const fileSchema = z.strictObject({ exceptions: z.array(exceptionSchema) });

/** The accepted-gaps file a payload directory may hold (it is not a case file); `.yml` is read too. */
export const EXCEPTIONS_FILE = "exceptions.yaml";
export const EXCEPTIONS_FILES = [EXCEPTIONS_FILE, "exceptions.yml"] as const;

export type AcceptedGap = z.infer<typeof exceptionSchema> & { source: string };

/** Reads `exceptions.yaml` from each payload directory that has one; one-line errors name file and entry. */
export function loadExceptions(dirs: readonly string[]): AcceptedGap[] {
  const out: AcceptedGap[] = [];
  for (const dir of dirs) {
    const present = EXCEPTIONS_FILES.map((name) => join(dir, name)).filter((f) => existsSync(f));
    if (present.length > 1) throw new UserError(`${present.join(" and ")}: two exception files in one payload directory; merge them into ${EXCEPTIONS_FILE}`);
    const file = present[0];
    if (file === undefined) continue;
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

/**
 * Every exception must name a case or a request of the corpus: one that names nothing accepts nothing, and
 * silently. Throws a one-line error naming the file and the id (with the nearest id when it looks like a typo).
 */
export function auditExceptions(gaps: readonly AcceptedGap[], requests: ReadonlyArray<{ id: string; caseId: string; expect: string }>): void {
  const ids = new Set<string>();
  for (const r of requests) {
    ids.add(r.id);
    ids.add(r.caseId);
  }
  for (const [index, gap] of gaps.entries()) {
    if (ids.has(gap.id)) continue;
    const near = closestMatch(gap.id, ids);
    const position = gaps.slice(0, index).filter((g) => g.source === gap.source).length;
    throw new UserError(`${gap.source}: exceptions[${position}].id "${gap.id}" names no case or request of the corpus${near ? ` (did you mean "${near}"?)` : ""}`);
  }
}
