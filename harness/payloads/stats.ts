import type { ExpandedRequest } from "./expand.ts";

export interface CorpusStats {
  requests: number;
  /** Attack requests expected to be blocked. */
  attacks: number;
  /** Requests of class benign (all expect allow). */
  benign: number;
  /** Attack-class requests that expect allow (known gaps now expect block and are accepted in exceptions.yaml). */
  knownGaps: number;
  byClass: Record<string, number>;
  byOwasp2025: Record<string, number>;
  byParanoia: Record<string, number>;
}

/** Request counts of an expanded corpus. */
export function corpusStats(requests: readonly ExpandedRequest[]): CorpusStats {
  const stats: CorpusStats = { requests: requests.length, attacks: 0, benign: 0, knownGaps: 0, byClass: {}, byOwasp2025: {}, byParanoia: {} };
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  for (const r of requests) {
    if (r.class === "benign") stats.benign++;
    else if (r.expect === "block") stats.attacks++;
    else stats.knownGaps++;
    bump(stats.byClass, r.class);
    bump(stats.byOwasp2025, r.owasp2025);
    bump(stats.byParanoia, `${r.expect}@PL${r.paranoia ?? "-"}`);
  }
  for (const key of ["byClass", "byOwasp2025", "byParanoia"] as const)
    stats[key] = Object.fromEntries(Object.entries(stats[key]).sort(([a], [b]) => a.localeCompare(b)));
  return stats;
}
