// Rule coverage: for each CRS rule the run's configuration loads, how many attack and benign requests it matched;
// the ones that never fired; the attacks blocked by one rule's anomaly score alone (fragile detection: one
// exclusion or one tuning change away from a bypass). A view of the records and the rule catalog (pure).
import type { CrsRule, RuleCatalog } from "../crs/index.ts";
import type { WafRecord } from "../engine/index.ts";
import { recordKind } from "./counts.ts";

export type RuleRole = CrsRule["kind"] | "other";

export interface RuleUse {
  id: number;
  file?: string;
  paranoia?: number;
  points?: number;
  role: RuleRole;
  msg?: string;
  /** Attack / benign requests (any paranoia level of their case) whose WAF log names the rule. */
  attacks: number;
  benign: number;
  /** Of them: attacks blocked at the run's level, benign requests blocked (false positives). */
  blockedAttacks: number;
  falsePositives: number;
  /** Blocked attacks whose anomaly score came from this rule alone. */
  singleRuleBlocks: number;
}

export interface RuleFileUse {
  file: string;
  /** Rules with an id in the file (removed ones left out), of which detection rules (they add anomaly points). */
  loaded: number;
  detection: number;
  /** Detection rules at or below the run's paranoia level, and of them the ones that fired / never fired. */
  active: number;
  fired: number;
  neverFired: number;
  /** Detection rules above the run's paranoia level (loaded, but they skip themselves). */
  aboveLevel: number;
  /** Response-body (phase 4) detection rules at or below the level: their matches never reach the log here. */
  unobservable: number;
  attacks: number;
  benign: number;
}

/** summary.json `rules`. */
export interface RuleCoverage {
  /** False for a run that read no WAF log (a remote gateway): nothing below is measured then. */
  measured: boolean;
  note?: string;
  paranoiaLevel: number;
  catalog: { source: string; crsVersion?: string; files: number; removedByConfig: number[] } | null;
  totals: {
    loaded: number;
    detection: number;
    active: number;
    /** Distinct rules (any role) logged for at least one corpus request. */
    fired: number;
    firedDetection: number;
    /** Active detection rules that never fired. */
    neverFired: number;
    aboveLevel: number;
    /** Phase-4 (response body) detection rules at or below the level: not counted as active, see unobservable. */
    unobservable: number;
  };
  files: RuleFileUse[];
  /** Every rule that fired, the most attacks first. */
  fired: RuleUse[];
  /** Active detection rules that never fired, by file. */
  neverFired: Array<{ id: number; file: string; paranoia: number; msg?: string }>;
  fragile: {
    /** Attacks blocked at the run's level whose log names an anomaly evaluation (949110/949111, 959100/959101). */
    blockedByScore: number;
    /** Of them: blocked by the score of a single detection rule. */
    singleRule: number;
    /** How many detection rules contributed to each score-blocked attack (none: only rules outside CRS's detection files). */
    contributors: { none: number; one: number; two: number; threeOrMore: number };
    /** The single-rule blocks' request ids (fragile detection), sorted. */
    requests: string[];
  };
  /** Rule ids logged that the catalog does not hold (the manifest's own rules, or a different CRS build). */
  notInCatalog: number[];
}

/** The CRS version on the rule lines the WAF logged (`[ver "OWASP_CRS/4.14.0"]`), the most frequent one. */
function loggedCrsVersion(records: readonly WafRecord[]): string | undefined {
  const seen = new Map<string, number>();
  for (const r of records) for (const rule of r.waf.rules) if (rule.ver?.startsWith("OWASP_CRS/")) seen.set(rule.ver, (seen.get(rule.ver) ?? 0) + 1);
  return [...seen.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]?.slice("OWASP_CRS/".length);
}

// The plug-in logs its own interruption of a response body, but not the phase-4 rules behind it (decide.ts): a phase-4
// rule can never be seen to fire, so it is neither "fired" nor "never fired" here.
const UNLOGGED_PHASE = 4;

const EVALUATION_IDS = /^9(49|59|80)\d{3}$/;

/** A rule's role: from the catalog, else from CRS's id ranges. */
function roleOf(id: number, rule: CrsRule | undefined): RuleRole {
  if (rule) return rule.kind;
  if (EVALUATION_IDS.test(String(id))) return "evaluation";
  return id >= 911000 && id < 956000 && !(id >= 949000 && id < 950000) ? "detection" : "other";
}

export function ruleCoverage(records: readonly WafRecord[], catalog: RuleCatalog | undefined, paranoiaLevel: number, note?: string): RuleCoverage {
  const corpus = records.filter((r) => r.suite !== "conformance");
  const measured = corpus.some((r) => r.waf.evidence === "logged");
  const byId = new Map((catalog?.rules ?? []).map((r) => [r.id, r]));
  const uses = new Map<number, RuleUse>();
  const use = (id: number) => {
    const existing = uses.get(id);
    if (existing) return existing;
    const rule = byId.get(id);
    const u: RuleUse = {
      id,
      ...(rule && { file: rule.file }),
      ...(rule?.paranoia !== undefined && { paranoia: rule.paranoia }),
      ...(rule?.score && { points: rule.score.points }),
      role: roleOf(id, rule),
      ...(rule?.msg !== undefined && { msg: rule.msg }),
      attacks: 0, benign: 0, blockedAttacks: 0, falsePositives: 0, singleRuleBlocks: 0,
    };
    uses.set(id, u);
    return u;
  };
  const fragile: RuleCoverage["fragile"] = { blockedByScore: 0, singleRule: 0, contributors: { none: 0, one: 0, two: 0, threeOrMore: 0 }, requests: [] };
  for (const r of corpus) {
    const kind = recordKind(r);
    const ids = [...new Set(r.waf.rules.map((x) => x.id))];
    for (const id of ids) {
      const u = use(id);
      if (r.meta.expect === "block") {
        u.attacks++;
        if (kind === "blocked") u.blockedAttacks++;
      } else {
        u.benign++;
        if (kind === "false-positive") u.falsePositives++;
      }
    }
    if (kind !== "blocked" || !ids.some((id) => uses.get(id)!.role === "evaluation")) continue;
    fragile.blockedByScore++;
    const contributors = ids.filter((id) => uses.get(id)!.role === "detection");
    if (contributors.length === 1) {
      fragile.singleRule++;
      fragile.requests.push(r.id);
      uses.get(contributors[0]!)!.singleRuleBlocks++;
    }
    if (contributors.length === 0) fragile.contributors.none++;
    else if (contributors.length === 1) fragile.contributors.one++;
    else if (contributors.length === 2) fragile.contributors.two++;
    else fragile.contributors.threeOrMore++;
  }
  fragile.requests.sort();

  const rules = catalog?.rules ?? [];
  const isDetection = (r: CrsRule) => r.kind === "detection";
  const atLevel = (r: CrsRule) => isDetection(r) && r.logs && (r.paranoia ?? 1) <= paranoiaLevel;
  const isActive = (r: CrsRule) => atLevel(r) && r.phase !== UNLOGGED_PHASE;
  const isUnobservable = (r: CrsRule) => atLevel(r) && r.phase === UNLOGGED_PHASE;
  const firedIds = new Set(uses.keys());
  const files: RuleFileUse[] = (catalog?.files ?? []).map((file) => {
    const of = rules.filter((r) => r.file === file);
    const active = of.filter(isActive);
    const requests = (role: "attacks" | "benign") => of.reduce((n, r) => n + (uses.get(r.id)?.[role] ?? 0), 0);
    return {
      file,
      loaded: of.length,
      detection: of.filter(isDetection).length,
      active: active.length,
      fired: active.filter((r) => firedIds.has(r.id)).length,
      neverFired: active.filter((r) => !firedIds.has(r.id)).length,
      aboveLevel: of.filter((r) => isDetection(r) && (r.paranoia ?? 1) > paranoiaLevel).length,
      unobservable: of.filter(isUnobservable).length,
      attacks: requests("attacks"),
      benign: requests("benign"),
    };
  });
  const neverFired = measured ? rules.filter((r) => isActive(r) && !firedIds.has(r.id)).map((r) => ({ id: r.id, file: r.file, paranoia: r.paranoia ?? 1, ...(r.msg !== undefined && { msg: r.msg }) })) : [];
  const fired = [...uses.values()].sort((a, b) => b.attacks - a.attacks || b.benign - a.benign || a.id - b.id);
  // A plug-in other than the one built here (WAF_WASM=release:… or a file) may embed another CRS: say so.
  const logged = loggedCrsVersion(corpus);
  const mismatch = catalog?.crsVersion && logged && logged !== catalog.crsVersion ? `the WAF logged CRS ${logged} but the rule catalog is CRS ${catalog.crsVersion}: loaded and never-fired rules are the catalog's` : undefined;
  const why = note ?? mismatch ?? (!measured ? "no request of this run has the WAF's log (a remote gateway: status codes only)" : undefined);
  return {
    measured,
    ...(why !== undefined && { note: why }),
    paranoiaLevel,
    catalog: catalog ? { source: catalog.source, ...(catalog.crsVersion && { crsVersion: catalog.crsVersion }), files: catalog.files.length, removedByConfig: catalog.removed } : null,
    totals: {
      loaded: rules.length,
      detection: rules.filter(isDetection).length,
      active: rules.filter(isActive).length,
      fired: fired.length,
      firedDetection: fired.filter((u) => u.role === "detection").length,
      neverFired: neverFired.length,
      aboveLevel: rules.filter((r) => isDetection(r) && (r.paranoia ?? 1) > paranoiaLevel).length,
      unobservable: rules.filter(isUnobservable).length,
    },
    files,
    fired,
    neverFired,
    fragile,
    notInCatalog: catalog ? fired.filter((u) => !byId.has(u.id)).map((u) => u.id).sort((a, b) => a - b) : [],
  };
}
