// Detection and false-positive rates by class × placement × encoding, each with its 95 % Wilson interval: where the
// detection is thin and where false positives cluster. A view of the records (their kinds, counts.ts), pure.
import type { WafRecord } from "../engine/index.ts";
import { recordKind } from "./counts.ts";
import { wilson } from "./interval.ts";

/** k of n with its rate and 95 % Wilson interval (rates as fractions, like detection.truePositiveRate). */
export interface RateCell {
  k: number;
  n: number;
  rate: number;
  ci95: [number, number];
}

export type AttackCell = { class: string; placement: string; encoding: string; blocked: number; bypassed: number; acceptedGaps: number } & RateCell;
export type BenignCell = { class: string; placement: string; encoding: string; falsePositives: number } & RateCell;

/** summary.json `detection.breakdown`. */
export interface Breakdown {
  /** What a cell's k and n are. */
  definitions: { attacks: string; benign: string };
  /** Every non-empty class × placement × encoding cell of judged attacks: k blocked of n judged. */
  attacks: AttackCell[];
  /** The same for judged benign requests: k false positives of n. */
  benign: BenignCell[];
  /** The margins, with their intervals. */
  byClass: Record<string, RateCell>;
  byPlacement: Record<string, RateCell>;
  byEncoding: Record<string, RateCell>;
  benignByPlacement: Record<string, RateCell>;
  benignByEncoding: Record<string, RateCell>;
}

const ATTACK_KINDS = new Set(["blocked", "bypass", "accepted-gap"]);
const BENIGN_KINDS = new Set(["passed", "false-positive"]);

export function rateCell(k: number, n: number): RateCell {
  const w = wilson(k, n);
  return { k, n, rate: w.rate, ci95: [w.low, w.high] };
}

/** The breakdown of the judged corpus requests (the same ones as the headline rates' denominators). */
export function breakdownOf(records: readonly WafRecord[]): Breakdown {
  const attacks = new Map<string, { class: string; placement: string; encoding: string; blocked: number; bypassed: number; acceptedGaps: number; n: number }>();
  const benign = new Map<string, { class: string; placement: string; encoding: string; falsePositives: number; n: number }>();
  const margin = () => new Map<string, { k: number; n: number }>();
  const m = { byClass: margin(), byPlacement: margin(), byEncoding: margin(), benignByPlacement: margin(), benignByEncoding: margin() };
  const bump = (map: Map<string, { k: number; n: number }>, key: string, hit: boolean) => {
    const t = map.get(key) ?? map.set(key, { k: 0, n: 0 }).get(key)!;
    t.n++;
    if (hit) t.k++;
  };
  for (const r of records) {
    if (r.suite === "conformance") continue;
    const kind = recordKind(r);
    const { class: cls, placement, encoding } = r.meta;
    const key = `${cls}\u0000${placement}\u0000${encoding}`;
    if (r.meta.expect === "block" && ATTACK_KINDS.has(kind)) {
      const c = attacks.get(key) ?? attacks.set(key, { class: cls, placement, encoding, blocked: 0, bypassed: 0, acceptedGaps: 0, n: 0 }).get(key)!;
      c.n++;
      if (kind === "blocked") c.blocked++;
      else if (kind === "bypass") c.bypassed++;
      else c.acceptedGaps++;
      bump(m.byClass, cls, kind === "blocked");
      bump(m.byPlacement, placement, kind === "blocked");
      bump(m.byEncoding, encoding, kind === "blocked");
    } else if (r.meta.expect === "allow" && BENIGN_KINDS.has(kind)) {
      const c = benign.get(key) ?? benign.set(key, { class: cls, placement, encoding, falsePositives: 0, n: 0 }).get(key)!;
      c.n++;
      if (kind === "false-positive") c.falsePositives++;
      bump(m.benignByPlacement, placement, kind === "false-positive");
      bump(m.benignByEncoding, encoding, kind === "false-positive");
    }
  }
  const cells = <T extends { class: string; placement: string; encoding: string }>(xs: Iterable<T>) =>
    [...xs].sort((a, b) => a.class.localeCompare(b.class) || a.placement.localeCompare(b.placement) || a.encoding.localeCompare(b.encoding));
  const rates = (map: Map<string, { k: number; n: number }>) => Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, t]) => [key, rateCell(t.k, t.n)]));
  return {
    definitions: {
      attacks: "k blocked of n judged attacks (blocked + bypassed + accepted gaps) at the run's paranoia level; 95 % Wilson interval",
      benign: "k false positives of n judged benign requests (passed + false positives); 95 % Wilson interval",
    },
    attacks: cells(attacks.values()).map(({ n, ...c }) => ({ ...c, ...rateCell(c.blocked, n) })),
    benign: cells(benign.values()).map(({ n, ...c }) => ({ ...c, ...rateCell(c.falsePositives, n) })),
    byClass: rates(m.byClass),
    byPlacement: rates(m.byPlacement),
    byEncoding: rates(m.byEncoding),
    benignByPlacement: rates(m.benignByPlacement),
    benignByEncoding: rates(m.benignByEncoding),
  };
}

/** Where detection is thin: cells that let an attack through, the lowest rate first (then the surest, by n). */
export function thinnestCells(b: Breakdown, limit = 10): AttackCell[] {
  return b.attacks.filter((c) => c.k < c.n).sort((x, y) => x.rate - y.rate || y.n - x.n || x.ci95[1] - y.ci95[1]).slice(0, limit);
}

/** Where false positives cluster: benign cells with one, the highest rate first. */
export function falsePositiveClusters(b: Breakdown, limit = 10): BenignCell[] {
  return b.benign.filter((c) => c.k > 0).sort((x, y) => y.rate - x.rate || y.k - x.k).slice(0, limit);
}

/** A header placement names its header (`header:User-Agent`); the heat map shows them as one column. */
export const placementColumn = (placement: string) => (placement.startsWith("header:") ? "header:*" : placement);

/** "blocked 12/14 (85.7 %, 95 % CI 60.1–96.0 %)" */
export function describeCell(c: RateCell): string {
  const p = (x: number) => Math.round(x * 1000) / 10;
  return `${c.k}/${c.n} (${p(c.rate)} %, 95 % CI ${p(c.ci95[0])}–${p(c.ci95[1])} %)`;
}
