import { UserError } from "../errors.ts";
import { CORPUS_GROUP_PREFIX, groupRequests, requestGrepText, selectedBy, type GroupableRequest } from "../payloads/index.ts";

/**
 * `npm run waf -- --grep X` selects requests, not only tests: X is matched against each corpus request's id,
 * title and tags (and its group's title). Playwright selects tests, so its --grep is widened to the groups that
 * hold a selected request; inside each group only the selected requests are sent. --grep-invert goes to
 * Playwright unchanged and is applied per request as well.
 */
export interface GrepSplit {
  /** Arguments for Playwright. */
  argv: string[];
  filter?: { grep?: string; grepInvert?: string };
}

const GREP = new Set(["--grep", "-g"]);
const INVERT = new Set(["--grep-invert", "-gv"]);

export function splitGrep(argv: readonly string[], corpus: ReadonlyArray<GroupableRequest & { expect: string }>): GrepSplit {
  const rest: string[] = [];
  let grep: string | undefined;
  let grepInvert: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!GREP.has(name) && !INVERT.has(name)) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UserError(`${name} needs a pattern`);
    try {
      new RegExp(value);
    } catch (error) {
      throw new UserError(`${name} ${value}: not a regular expression (${(error as Error).message})`);
    }
    if (GREP.has(name)) grep = value;
    else grepInvert = value;
  }
  if (grep === undefined && grepInvert === undefined) return { argv: rest };
  const filter = { ...(grep !== undefined && { grep }), ...(grepInvert !== undefined && { grepInvert }) };
  const res = { grep: grep !== undefined ? [new RegExp(grep)] : undefined, grepInvert: grepInvert !== undefined ? [new RegExp(grepInvert)] : undefined };
  const argvOut = [...rest];
  if (grepInvert !== undefined) argvOut.push(`--grep-invert=${grepInvert}`);
  if (grep !== undefined) {
    const titles = new Set<string>();
    for (const expect of ["block", "allow"]) // the suites group each half of the corpus on its own
      for (const group of groupRequests(corpus.filter((r) => r.expect === expect), CORPUS_GROUP_PREFIX[expect]))
        if (group.requests.some((r) => selectedBy(res, requestGrepText(group.title, r)))) titles.add(group.title);
    const widened = [grep, ...[...titles].map(escapeRegExp)].map((p) => `(?:${p})`).join("|");
    argvOut.push(`--grep=${widened}`);
  }
  return { argv: argvOut, filter };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
