import { owasp2025Name } from "./owasp-names.ts";

/** The corpus fields grouping and filtering look at. */
export interface GroupableRequest {
  id: string;
  title: string;
  class: string;
  owasp2025: string;
  source?: string;
}

/**
 * One Playwright test per OWASP category: a finding fails one test, not one per request, because Playwright
 * replaces its worker after every failed test (0.7-1.4 s each on two cores). A WAF that blocks nothing therefore
 * costs about ten restarts, not hundreds. Per-request results are views of the engine's records (Allure, JUnit,
 * summary.json, verdicts.json), and --grep still selects single requests by id, title or tag.
 */
export interface RequestGroup<T extends GroupableRequest> {
  title: string;
  tags: string[];
  requests: T[];
}

export function groupRequests<T extends GroupableRequest>(requests: readonly T[], prefix = ""): Array<RequestGroup<T>> {
  const groups = new Map<string, T[]>();
  for (const r of requests) {
    const key = `${prefix}${owasp2025Name(r.owasp2025)}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  return [...groups.entries()].map(([key, members]) => ({
    title: `${key} (${members.length} request${members.length === 1 ? "" : "s"})`,
    tags: [...new Set(members.flatMap((r) => [`@${r.class}`, `@${r.owasp2025}`]))],
    requests: members,
  }));
}

/** Attack groups are named by their category; benign groups say so first. */
export const CORPUS_GROUP_PREFIX: Record<string, string> = { block: "", allow: "benign traffic · " };

/** The text a --grep is matched against for one request: its group, id, title and tags (as Playwright matches tests). */
export function requestGrepText(groupTitle: string, r: GroupableRequest): string {
  return `${groupTitle} ${r.id}: ${r.title} @${r.class} @${r.owasp2025}`;
}

export interface RequestFilter {
  grep?: RegExp[];
  grepInvert?: RegExp[];
}

export function selectedBy(filter: RequestFilter, text: string): boolean {
  const hit = (res: RegExp[]) => res.some((re) => {
    re.lastIndex = 0;
    return re.test(text);
  });
  if (filter.grep && filter.grep.length > 0 && !hit(filter.grep)) return false;
  if (filter.grepInvert && filter.grepInvert.length > 0 && hit(filter.grepInvert)) return false;
  return true;
}
