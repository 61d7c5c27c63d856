import type { CorazaPluginConfig } from "./manifest.ts";
import { paranoiaOf } from "./paranoia.ts";

/** What a reviewer needs to know about the directive set that was tested (the manifest's default set). */
export interface ConfigFacts {
  /** SecRuleEngine as it ends up: the last directive wins; @recommended-conf sets DetectionOnly. */
  engineMode: "On" | "DetectionOnly" | "Off" | "unknown";
  paranoia?: number;
  inboundThreshold?: number;
  outboundThreshold?: number;
  /** The embedded files and rule sets it includes (e.g. @owasp_crs/*.conf). */
  includes: string[];
  /** Directives that remove or narrow rules: CRS exclusions a reviewer must see. */
  exclusions: string[];
  /** Rules of its own (SecRule/SecAction with an id), by id. */
  ownRules: number[];
}

const ENGINE = /^\s*SecRuleEngine\s+(On|DetectionOnly|Off)\b/i;
const INCLUDE = /^\s*Include\s+(\S+)/;
const INBOUND = /tx\.inbound_anomaly_score_threshold=(\d+)/;
const OUTBOUND = /tx\.outbound_anomaly_score_threshold=(\d+)/;
const EXCLUSION = /SecRuleRemoveBy(Id|Tag|Msg)|SecRuleUpdateTargetBy(Id|Tag|Msg)|ctl:ruleRemove(ById|ByTag|TargetById|TargetByTag)/;
const RULE_ID = /^\s*Sec(Rule|Action)\b.*?\bid:(\d+)/;

export function configFacts(config: CorazaPluginConfig): ConfigFacts {
  const directives = config.directives_map[config.default_directives] ?? [];
  let engineMode: ConfigFacts["engineMode"] = "unknown";
  const facts: ConfigFacts = { engineMode, includes: [], exclusions: [], ownRules: [] };
  for (const d of directives) {
    const include = INCLUDE.exec(d)?.[1];
    if (include) {
      facts.includes.push(include);
      if (include === "@recommended-conf") engineMode = "DetectionOnly";
    }
    const engine = ENGINE.exec(d)?.[1]?.toLowerCase();
    if (engine) engineMode = engine === "on" ? "On" : engine === "off" ? "Off" : "DetectionOnly";
    const inbound = INBOUND.exec(d)?.[1];
    if (inbound) facts.inboundThreshold = Number(inbound);
    const outbound = OUTBOUND.exec(d)?.[1];
    if (outbound) facts.outboundThreshold = Number(outbound);
    if (EXCLUSION.test(d)) facts.exclusions.push(d.trim());
    const id = RULE_ID.exec(d)?.[2];
    if (id && !d.includes("tx.blocking_paranoia_level") && !INBOUND.test(d)) facts.ownRules.push(Number(id));
  }
  facts.engineMode = engineMode;
  const paranoia = paranoiaOf(directives);
  if (paranoia !== undefined) facts.paranoia = paranoia;
  // CRS's defaults when the set includes CRS but does not say otherwise.
  if (facts.includes.some((i) => i.startsWith("@owasp_crs"))) {
    facts.paranoia ??= 1;
    facts.inboundThreshold ??= 5;
    facts.outboundThreshold ??= 4;
  }
  return facts;
}

/** "v3.3.3" from the plug-in build's go.mod, when wafcheck built it (a release or a given .wasm: unknown). */
export function corazaVersionOf(goMod: string): string | undefined {
  return /github\.com\/corazawaf\/coraza\/v3 (v\S+)/.exec(goMod)?.[1];
}
