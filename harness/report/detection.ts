import type { Judgement } from "../verdict/index.ts";

/** What one corpus request contributes to the detection figures (a projection of its record). */
export interface CorpusRecord {
  id: string;
  class: string;
  owasp2025: string;
  expect: "block" | "allow";
  paranoia?: number;
  judgement: Judgement;
  informational: boolean;
}

export interface Tally {
  /** Attacks at the run's paranoia level that got a verdict (judged or handled by the proxy). */
  attacks: number;
  /** Every attack of the category or class that was sent (other levels and infrastructure errors included). */
  sent?: number;
  blocked: number;
  /** Added with the verdict engine (extensions): what happened to the attacks that were not blocked. */
  bypassed?: number;
  acceptedGaps?: number;
  /** Rejected or changed by Envoy before the WAF could judge them. */
  proxy?: number;
}

/** summary.json `detection`: its keys are a contract (extend, never rename). */
export interface Detection {
  attacks: number;
  blocked: number;
  bypassed: number;
  acceptedGaps: number;
  benign: number;
  falsePositives: number;
  infra: number;
  rejectedByProxy: number;
  changedByProxy: number;
  paranoiaLevel: number;
  byClass: Record<string, Tally>;
  byOwasp2025: Record<string, Tally>;
  /** blocked / (blocked + bypassed + accepted gaps); null when no attack got a verdict. */
  truePositiveRate: number | null;
  /** passed benign / benign with a verdict. */
  trueNegativeRate: number | null;
  balancedAccuracy: number | null;
  /** Cases outside the run's paranoia level (run, not judged): what each level adds. */
  informational: { attacks: number; blocked: number; benign: number; falsePositives: number };
  /** Every request regardless of paranoia level, for the PL matrix. */
  all: { attacks: number; blocked: number; benign: number; falsePositives: number };
}

/** Detection and false-positive figures from the records of one run (pure). */
export function computeDetection(records: readonly CorpusRecord[], paranoiaLevel: number): Detection {
  const d: Detection = {
    attacks: 0, blocked: 0, bypassed: 0, acceptedGaps: 0, benign: 0, falsePositives: 0, infra: 0, rejectedByProxy: 0, changedByProxy: 0,
    paranoiaLevel, byClass: {}, byOwasp2025: {}, truePositiveRate: null, trueNegativeRate: null, balancedAccuracy: null,
    informational: { attacks: 0, blocked: 0, benign: 0, falsePositives: 0 },
    all: { attacks: 0, blocked: 0, benign: 0, falsePositives: 0 },
  };
  let benignPassed = 0;
  for (const r of records) {
    if (r.expect === "block") for (const t of [(d.byClass[r.class] ??= newTally()), (d.byOwasp2025[r.owasp2025] ??= newTally())]) t.sent = (t.sent ?? 0) + 1;
    if (r.judgement === "infra") {
      d.infra++;
      continue;
    }
    tallyInto(d.all, r);
    if (r.informational) {
      tallyInto(d.informational, r);
      continue;
    }
    if (r.judgement === "rejected-by-proxy") d.rejectedByProxy++;
    if (r.judgement === "changed-by-proxy") d.changedByProxy++;
    if (r.expect === "block") {
      d.attacks++;
      const tallies = [(d.byClass[r.class] ??= newTally()), (d.byOwasp2025[r.owasp2025] ??= newTally())];
      const bump = (key: keyof Tally) => tallies.forEach((t) => (t[key] = (t[key] ?? 0) + 1));
      bump("attacks");
      if (r.judgement === "true-positive") {
        d.blocked++;
        bump("blocked");
      }
      if (r.judgement === "bypass") {
        d.bypassed++;
        bump("bypassed");
      }
      if (r.judgement === "accepted-gap") {
        d.acceptedGaps++;
        bump("acceptedGaps");
      }
      if (r.judgement === "rejected-by-proxy" || r.judgement === "changed-by-proxy") bump("proxy");
    } else {
      d.benign++;
      if (r.judgement === "false-positive") d.falsePositives++;
      if (r.judgement === "true-negative") benignPassed++;
    }
  }
  const judgedAttacks = d.blocked + d.bypassed + d.acceptedGaps;
  const judgedBenign = benignPassed + d.falsePositives;
  d.truePositiveRate = judgedAttacks > 0 ? round(d.blocked / judgedAttacks) : null;
  d.trueNegativeRate = judgedBenign > 0 ? round(benignPassed / judgedBenign) : null;
  d.balancedAccuracy = d.truePositiveRate !== null && d.trueNegativeRate !== null ? round((d.truePositiveRate + d.trueNegativeRate) / 2) : null;
  return d;
}

function newTally(): Required<Tally> {
  return { attacks: 0, sent: 0, blocked: 0, bypassed: 0, acceptedGaps: 0, proxy: 0 };
}

/** Counts a record in an attacks/blocked/benign/falsePositives bucket. */
function tallyInto(bucket: Detection["all"], r: CorpusRecord): void {
  const blocked = r.judgement === "true-positive" || r.judgement === "false-positive";
  if (r.expect === "block") {
    bucket.attacks++;
    if (blocked) bucket.blocked++;
  } else {
    bucket.benign++;
    if (blocked) bucket.falsePositives++;
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
