// The review's rule diff: which CRS rules fired on how many attack and benign requests on each side, the rules
// only one side fired (a rule removed or added by the change, or one it no longer reaches). A view of the two
// sides' verdicts files (each request's matched rules), pure.
import { ATTACK_JUDGEMENTS, BENIGN_JUDGEMENTS, type VerdictsFile } from "../report/index.ts";

export interface RuleCounts {
  attacks: number;
  benign: number;
}

export interface RulesDiff {
  fired: { base: number; candidate: number };
  /** Rules the base fired and the candidate never did, and the other way round. */
  onlyInBase: number[];
  onlyInCandidate: number[];
  /** Every rule whose counts differ between the sides, the largest change first. */
  changed: Array<{ id: number; base: RuleCounts; candidate: RuleCounts }>;
}

/** Attack or benign, from the entry's expect (or, in older files, its judgement); undefined for conformance-like entries without either. */
function sideOf(e: VerdictsFile["requests"][string]): keyof RuleCounts | undefined {
  if (e.expect) return e.expect === "block" ? "attacks" : "benign";
  if (e.judgement && ATTACK_JUDGEMENTS.has(e.judgement)) return "attacks";
  if (e.judgement && BENIGN_JUDGEMENTS.has(e.judgement)) return "benign";
  return undefined;
}

export function ruleCounts(file: VerdictsFile): Map<number, RuleCounts> {
  const out = new Map<number, RuleCounts>();
  for (const e of Object.values(file.requests)) {
    const side = sideOf(e);
    if (!side) continue;
    for (const id of new Set(e.rules ?? [])) {
      const c = out.get(id) ?? out.set(id, { attacks: 0, benign: 0 }).get(id)!;
      c[side]++;
    }
  }
  return out;
}

export function rulesDiff(base: VerdictsFile, candidate: VerdictsFile): RulesDiff {
  const b = ruleCounts(base);
  const c = ruleCounts(candidate);
  const zero: RuleCounts = { attacks: 0, benign: 0 };
  const ids = [...new Set([...b.keys(), ...c.keys()])].sort((x, y) => x - y);
  const size = (r: { base: RuleCounts; candidate: RuleCounts }) => Math.abs(r.candidate.attacks - r.base.attacks) + Math.abs(r.candidate.benign - r.base.benign);
  return {
    fired: { base: b.size, candidate: c.size },
    onlyInBase: ids.filter((id) => !c.has(id)),
    onlyInCandidate: ids.filter((id) => !b.has(id)),
    changed: ids
      .map((id) => ({ id, base: b.get(id) ?? zero, candidate: c.get(id) ?? zero }))
      .filter((r) => size(r) > 0)
      .sort((x, y) => size(y) - size(x) || x.id - y.id),
  };
}

/** review.md's rule section: the rules only one side fired, and the largest changes in what a rule matched. */
export function rulesDiffMarkdown(d: RulesDiff, limit = 20): string[] {
  const ids = (xs: number[]) => (xs.length === 0 ? "none" : xs.length > 40 ? `${xs.slice(0, 40).join(" ")} … (${xs.length - 40} more in review.json)` : xs.join(" "));
  return [
    `### Rules: the base fired ${d.fired.base}, the candidate ${d.fired.candidate}; ${d.changed.length} matched a different number of requests`,
    "",
    `- fired only by the base (the candidate never reached or no longer has them): ${ids(d.onlyInBase)}`,
    `- fired only by the candidate: ${ids(d.onlyInCandidate)}`,
    "",
    ...(d.changed.length > 0
      ? [
          "| rule | attacks matched: base → candidate | benign matched: base → candidate |",
          "|---|---:|---:|",
          ...d.changed.slice(0, limit).map((r) => `| ${r.id} | ${r.base.attacks} → ${r.candidate.attacks} | ${r.base.benign} → ${r.candidate.benign} |`),
          ...(d.changed.length > limit ? [`| … ${d.changed.length - limit} more in review.json | | |`] : []),
          "",
        ]
      : []),
  ];
}
