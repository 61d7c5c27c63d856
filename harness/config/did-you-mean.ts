import { distance } from "fastest-levenshtein";

/**
 * The candidate closest to a misspelt word (case-insensitive), if it is close enough to be a likely typo:
 * at most max(2, a third of the word's length) edits away.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === word ? undefined : best;
}
