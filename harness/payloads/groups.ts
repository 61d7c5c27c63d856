import { basename } from "node:path";

/** The corpus fields grouping and filtering look at. */
export interface GroupableRequest {
  id: string;
  title: string;
  class: string;
  owasp2025: string;
  source?: string;
}

/**
 * One Playwright test per corpus file and class: a finding fails one test, not one per request, because Playwright
 * replaces its worker after every failed test (about a second each on two cores). Per-request results are views of
 * the engine's records (Allure, JUnit, summary.json).
 */
export interface RequestGroup<T extends GroupableRequest> {
  title: string;
  tags: string[];
  requests: T[];
}

export function groupRequests<T extends GroupableRequest>(requests: readonly T[]): Array<RequestGroup<T>> {
  const groups = new Map<string, T[]>();
  for (const r of requests) {
    const key = `${r.class} · ${r.source ? basename(r.source) : "built-in"}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  return [...groups.entries()].map(([key, members]) => ({
    title: `${key} (${members.length} request${members.length === 1 ? "" : "s"})`,
    tags: [...new Set(members.flatMap((r) => [`@${r.class}`, `@${r.owasp2025}`]))],
    requests: members,
  }));
}

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
