// The rules of one CRS (SecLang) file, as the coverage report needs them: id, paranoia level, how many anomaly
// points a match adds, and whether a match is logged at all. Pure text parsing; no SecLang semantics beyond that.

/** One rule (a SecRule or SecAction with an id; a chain counts as the rule that starts it). */
export interface CrsRule {
  id: number;
  /** The rule file it comes from, e.g. REQUEST-942-APPLICATION-ATTACK-SQLI.conf. */
  file: string;
  phase?: number;
  /** Its `tag:'paranoia-level/N'`: it runs only when the detection paranoia level is at least N. */
  paranoia?: number;
  severity?: string;
  /** Anomaly points a match adds (CRS's default scores by severity), and to which total. */
  score?: { direction: "inbound" | "outbound"; points: number };
  /** `nolog`: a match never reaches the WAF's log, so it can never be seen to fire. */
  logs: boolean;
  /** detection: adds anomaly points; evaluation: compares totals and blocks (949, 959) or reports (980); control: the rest (set-up, flow). */
  kind: "detection" | "evaluation" | "control";
  msg?: string;
  tags: string[];
}

// CRS's default anomaly scores (crs-setup.conf: tx.critical_anomaly_score=5 …).
const POINTS: Record<string, number> = { critical: 5, error: 4, warning: 3, notice: 2 };
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;
const SCORE = /setvar:'?tx\.(inbound|outbound)_anomaly_score_pl\d=\+%\{tx\.(critical|error|warning|notice)_anomaly_score\}/;
const EVALUATION_FILE = /^(REQUEST-949|RESPONSE-959|RESPONSE-980)-/;

/** The directives of a SecLang file: comments dropped, backslash-continued lines joined. */
export function directivesOf(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(current + line);
    current = "";
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** The actions of a SecRule/SecAction directive: its last quoted argument. */
function actionsOf(directive: string): string {
  const quoted = [...directive.matchAll(QUOTED)];
  return quoted.length > 0 ? quoted[quoted.length - 1]![1]! : "";
}

const hasAction = (actions: string, name: string) => new RegExp(`(^|[,\\s])${name}\\s*(,|$)`).test(actions);

/** Every rule with an id in a rule file (chained rules folded into the rule that starts the chain). */
export function parseRuleFile(file: string, text: string): CrsRule[] {
  const rules: CrsRule[] = [];
  let chainOf: CrsRule | undefined;
  for (const d of directivesOf(text)) {
    if (!/^Sec(Rule|Action)\s/.test(d)) continue;
    const actions = actionsOf(d);
    if (chainOf) {
      // A chained rule: its actions (e.g. a setvar on the last link) belong to the rule that started the chain.
      addScore(chainOf, actions);
      if (!hasAction(actions, "chain")) chainOf = undefined;
      continue;
    }
    const id = /(?:^|[,\s'"])id:'?(\d+)/.exec(actions)?.[1];
    if (!id) continue;
    const phase = /phase:'?(\d)/.exec(actions)?.[1];
    const paranoia = /tag:'paranoia-level\/(\d)'/.exec(actions)?.[1];
    const severity = /severity:'?(\w+)/.exec(actions)?.[1]?.toLowerCase();
    const msg = /msg:'((?:[^'\\]|\\.)*)'/.exec(actions)?.[1];
    const rule: CrsRule = {
      id: Number(id),
      file,
      ...(phase && { phase: Number(phase) }),
      ...(paranoia && { paranoia: Number(paranoia) }),
      ...(severity && { severity }),
      logs: !hasAction(actions, "nolog"),
      kind: EVALUATION_FILE.test(file) ? "evaluation" : "control",
      ...(msg !== undefined && { msg }),
      tags: [...actions.matchAll(/tag:'([^']*)'/g)].map((m) => m[1]!),
    };
    addScore(rule, actions);
    rules.push(rule);
    if (hasAction(actions, "chain")) chainOf = rule;
  }
  return rules;
}

function addScore(rule: CrsRule, actions: string): void {
  const m = SCORE.exec(actions);
  if (!m || rule.score || rule.kind === "evaluation") return;
  rule.score = { direction: m[1] as "inbound" | "outbound", points: POINTS[m[2]!]! };
  rule.kind = "detection";
}
