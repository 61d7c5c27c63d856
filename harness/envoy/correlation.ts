import type { CorazaPluginConfig } from "../manifest/index.ts";

/**
 * Exact, parallel-safe rule correlation. Every request the local harness sends carries a unique id in this
 * header; two rules that wafcheck puts around each directive set log it: one in phase 1, first (the first rule
 * Coraza evaluates, so even a request denied by the next rule is tied to its id) and one in phase 5, last (logging
 * runs after every other phase, and within phase 5 after every rule of the set, e.g. CRS's 980170, so once it
 * appears every line of that request is in the log). Each Coraza log
 * line carries the transaction's `unique_id`, which joins the request's other matched rules to the id.
 */
export const CORRELATION_HEADER = "x-wafcheck-id";

/** Rule ids from the ModSecurity "local use" range; a manifest that uses them gets Coraza's duplicate-id error. */
export const CORRELATION_RULE_IDS = { start: 99_901, end: 99_902 } as const;

// The start rule copies the id to a TX variable; the end rule tests that variable, which Coraza's multiphase
// evaluation cannot move to an earlier phase (TX has no "earliest phase"), so it really runs in phase 5.
export const CORRELATION_DIRECTIVES: readonly string[] = [
  `SecRule REQUEST_HEADERS:${CORRELATION_HEADER} "@rx ^wc-" "id:${CORRELATION_RULE_IDS.start},phase:1,pass,log,t:none,msg:'wafcheck request start',logdata:'%{MATCHED_VAR}',setvar:'tx.wafcheck_id=%{MATCHED_VAR}'"`,
  `SecRule TX:wafcheck_id "@rx ^wc-" "id:${CORRELATION_RULE_IDS.end},phase:5,pass,log,t:none,msg:'wafcheck request end',logdata:'%{MATCHED_VAR}'"`,
];

/**
 * The pluginConfig the local stack loads: the manifest's, with the start rule first and the end rule last in every
 * directive set. They pass and add no anomaly score, and they only match requests that carry the header, so verdicts are
 * the manifest's own. Reports still name the manifest's pluginConfigSha256 (what the gateway gets).
 */
export function withCorrelationRules(config: CorazaPluginConfig): CorazaPluginConfig {
  return {
    ...config,
    directives_map: Object.fromEntries(Object.entries(config.directives_map).map(([name, set]) => [name, [CORRELATION_DIRECTIVES[0]!, ...set, CORRELATION_DIRECTIVES[1]!]])),
  };
}

/** Request ids are short and header-safe: `<prefix>-<sequence>`, the prefix being `wc-<run>-<worker pid>`. */
export function correlationId(prefix: string, sequence: number): string {
  return `${prefix}-${sequence.toString(36)}`;
}
