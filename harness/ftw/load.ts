import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { parseYamlText } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { ftwFileSchema, type FtwTest } from "./schema.ts";

/** Every *.yaml / *.yml under the given files or directories, in path order. */
export function ftwFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else if (/\.ya?ml$/.test(p)) out.push(p);
  };
  for (const p of paths) {
    try {
      walk(p);
    } catch (error) {
      throw new UserError(`${p}: cannot read ftw tests (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return out;
}

/** Parses one ftw file; every error is one line naming the file, the test id and the field. */
export function parseFtwFile(text: string, file: string): FtwTest[] {
  const raw = parseYamlText(text, file) as { tests?: Array<{ test_id?: unknown }> } | null;
  const parsed = ftwFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [first, index, ...rest] = issue.path;
    const testId = first === "tests" && typeof index === "number" ? raw?.tests?.[index]?.test_id : undefined;
    const where = first === "tests" && typeof index === "number" ? `test ${testId ?? `#${index + 1}`}: ${rest.join(".") || "(test)"}` : issue.path.join(".") || "(file)";
      throw new UserError(`${file}: ${where}: ${issue.message}`);
  }
  const ruleId = parsed.data.rule_id ?? (Number(/^(\d+)/.exec(basename(file))?.[1]) || 0);
  return parsed.data.tests.map((t) => ({
    id: `${t.rule_id ?? ruleId}-${t.test_id}`,
    ruleId: t.rule_id ?? ruleId,
    testId: t.test_id,
    file,
    ruleFile: basename(dirname(file)),
    ...(t.desc !== undefined && { desc: t.desc.trim() }),
    stages: t.stages,
  }));
}

export function loadFtwTests(paths: readonly string[], root = process.cwd()): FtwTest[] {
  const tests: FtwTest[] = [];
  const seen = new Map<string, string>();
  for (const file of ftwFiles(paths)) {
    const shown = relative(root, file) || file;
    for (const t of parseFtwFile(readFileSync(file, "utf8"), shown)) {
      const other = seen.get(t.id);
      if (other) throw new UserError(`${shown}: test ${t.testId}: id ${t.id} is also in ${other}`);
      seen.set(t.id, shown);
      tests.push(t);
    }
  }
  return tests;
}
