import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { UserError } from "../errors.ts";
import { EXCEPTIONS_FILES } from "./exceptions.ts";
import { describeIssue } from "./issues.ts";
import { type Case, type CaseDefaults, caseSchema, corpusFileSchema } from "./schema.ts";

/** A validated case and the file it came from. */
export type LoadedCase = Case & { source: string };

/** The project's own corpus directory. */
export const DEFAULT_PAYLOAD_DIR = fileURLToPath(new URL("../../payloads/", import.meta.url));

/** The project corpus plus the extra directories in WAF_PAYLOADS (comma-separated). */
export function payloadDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.WAF_PAYLOADS ?? "").split(",").map((d) => d.trim()).filter((d) => d !== "");
  return [DEFAULT_PAYLOAD_DIR, ...extra];
}

/** Files in a payload directory that are not case files. */
export const NON_CASE_FILES = new Set<string>(EXCEPTIONS_FILES);

/** Loads and validates every `*.yaml` / `*.yml` case file under the directories (recursively, in path order). */
export function loadCorpus(dirs: readonly string[] = payloadDirs()): LoadedCase[] {
  const files: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`payload directory not found: ${dir}`);
    const found = yamlFiles(dir);
    if (found.length === 0) throw new UserError(`payload directory has no *.yaml case files: ${dir}`);
    files.push(...found);
  }
  const cases: LoadedCase[] = [];
  const seen = new Map<string, string>();
  for (const file of [...new Set(files)]) {
    const source = displayPath(file);
    for (const c of parseCorpusFile(readFileSync(file, "utf8"), source)) {
      const other = seen.get(c.id);
      if (other !== undefined)
        throw new UserError(other === source ? `${source}: duplicate case id "${c.id}"` : `duplicate case id "${c.id}" in ${other} and ${source}`);
      seen.set(c.id, source);
      cases.push(c);
    }
  }
  return cases;
}

/** Parses one corpus file's text; every problem is a UserError of one line naming file, case and field. */
export function parseCorpusFile(text: string, source: string): LoadedCase[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new UserError(`${source}${line ? `:${line}` : ""}: invalid YAML: ${first.message.split("\n")[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) throw new UserError(`${source}: empty file (expected a mapping with cases: [...])`);

  const file = corpusFileSchema.safeParse(raw);
  if (!file.success) throw new UserError(`${source}: ${locate(file.error.issues[0]!, raw)}`);

  const { defaults = {}, cases } = file.data;
  const ids = new Set<string>();
  return cases.map((written) => {
    const merged = { ...(written.request === undefined ? defaults : payloadFree(defaults)), ...written };
    const parsed = caseSchema.safeParse(merged);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserError(`${source}: case ${written.id}: ${describeIssue(issue, merged)}`);
    }
    if (ids.has(parsed.data.id)) throw new UserError(`${source}: duplicate case id "${parsed.data.id}"`);
    ids.add(parsed.data.id);
    return { ...parsed.data, source };
  });
}

/** Defaults without what only applies to payload cases (a request case takes none of them). */
function payloadFree(defaults: CaseDefaults): CaseDefaults {
  const { placements: _p, encodings: _e, exclude: _x, param: _n, whole: _w, ...rest } = defaults;
  return rest;
}

/** `case <id>: field.path: message` when the issue is inside a case, else `field.path: message`. */
function locate(issue: z.core.$ZodIssue, raw: unknown): string {
  const [top, index, ...rest] = issue.path;
  if (top === "cases" && typeof index === "number") {
    const written = (raw as { cases: unknown[] }).cases[index];
    const id = (written as { id?: unknown } | null)?.id;
    const where = typeof id === "string" && id !== "" ? `case ${id}` : `cases.${index}`;
    if (rest.length === 0) return `${where}: ${describeIssue({ ...issue, path: [] }, written)}`;
    return `${where}: ${describeIssue({ ...issue, path: rest }, written)}`;
  }
  return describeIssue(issue, raw);
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry.name) && !NON_CASE_FILES.has(entry.name)) out.push(resolve(path));
  }
  return out;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}
