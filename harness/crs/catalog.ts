// The CRS rules a configuration loads: the embedded rule files its `Include @owasp_crs/…` directives name, less
// the rules its SecRuleRemoveById/ByTag directives remove. Pure: the files' text comes from load.ts.
import { parseRuleFile, type CrsRule } from "./rule-file.ts";

export interface RuleCatalog {
  /** Where the rule text came from (the plug-in module the wasm is built from, and its version). */
  source: string;
  /** The CRS version of the rule files (`ver:'OWASP_CRS/4.14.0'`), when they say. */
  crsVersion?: string;
  /** The rule files the configuration includes, in load order. */
  files: string[];
  /** Every rule of those files with an id, the removed ones left out. */
  rules: CrsRule[];
  /** Rule ids the configuration removes (SecRuleRemoveById / ByTag), as loaded-then-removed. */
  removed: number[];
}

const CRS_PREFIX = "@owasp_crs/";

/** The rule files an Include names (`@owasp_crs/*.conf`, `@owasp_crs/REQUEST-942-….conf`), from the files there are. */
export function includedFiles(includes: readonly string[], available: readonly string[]): string[] {
  const out: string[] = [];
  for (const include of includes) {
    if (!include.startsWith(CRS_PREFIX)) continue;
    const pattern = globRegExp(include.slice(CRS_PREFIX.length));
    for (const f of [...available].sort()) if (pattern.test(f) && !out.includes(f)) out.push(f);
  }
  return out;
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*").replaceAll("?", "[^/]")}$`);
}

/** Ids a SecRuleRemoveById directive names (single ids and ranges, space-separated). */
export function removedIds(directive: string): number[] {
  const m = /^\s*SecRuleRemoveById\s+(.+)$/i.exec(directive);
  if (!m) return [];
  const ids: number[] = [];
  for (const part of m[1]!.replaceAll('"', "").split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let i = Number(range[1]); i <= Number(range[2]) && i - Number(range[1]) < 100_000; i++) ids.push(i);
    else if (/^\d+$/.test(part)) ids.push(Number(part));
  }
  return ids;
}

/** The CRS version a rule file names (`ver:'OWASP_CRS/4.14.0'`), if any. */
export const crsVersionOf = (text: string) => /ver:'OWASP_CRS\/(\d+\.\d+\.\d+)'/.exec(text)?.[1];

const removedTags = (directive: string) => /^\s*SecRuleRemoveByTag\s+["']?([^"']+)["']?\s*$/i.exec(directive)?.[1]?.trim();

/** The catalog of one configuration: its includes and exclusion directives (ConfigFacts), over the rule files' text. */
export function ruleCatalog(input: { source: string; files: ReadonlyArray<{ name: string; text: string }>; includes: readonly string[]; exclusions: readonly string[] }): RuleCatalog {
  const byName = new Map(input.files.map((f) => [f.name, f.text]));
  const files = includedFiles(input.includes, [...byName.keys()].filter((f) => f.endsWith(".conf")));
  const all = files.flatMap((f) => parseRuleFile(f, byName.get(f)!));
  const ids = new Set(input.exclusions.flatMap(removedIds));
  const tags = new Set(input.exclusions.map(removedTags).filter((t): t is string => !!t));
  const isRemoved = (r: CrsRule) => ids.has(r.id) || r.tags.some((t) => tags.has(t));
  const crsVersion = files.map((f) => crsVersionOf(byName.get(f)!)).find(Boolean);
  return {
    source: input.source,
    ...(crsVersion && { crsVersion }),
    files,
    rules: all.filter((r) => !isRemoved(r)),
    removed: all.filter(isRemoved).map((r) => r.id),
  };
}
