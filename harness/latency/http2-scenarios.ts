// WAF_HTTP for npm run latency: the proxied scenarios over HTTP/2 (TLS, ALPN h2) instead of, or beside, HTTP/1.1.
// Pure: the definition in, the definition to run out. A scenario tagged `http: "2"` gets pools that speak h2.
import type { LatencyDefinition } from "./scenarios.ts";

/** Targets an Envoy listener serves (the app behind it, `upstream`, is HTTP/1.1 in clear text only). */
export const PROXIED_TARGETS = ["waf", "baseline", "waf_paranoia"] as const;

/** The HTTP/2 twin's name of a target or a scenario. */
export const h2Twin = (name: string) => `${name}_h2`;

/**
 * "2": every proxied scenario goes over HTTP/2 under its own name (the report reads as usual); "both": each gets an
 * HTTP/2 twin `<name>_h2` beside it, interleaved with it in the same run, and each comparison a twin too, so the
 * WAF's overhead over each protocol is measured side by side.
 */
export function withHttp2(def: LatencyDefinition, mode: "2" | "both"): LatencyDefinition {
  const proxied = (name: string) => (PROXIED_TARGETS as readonly string[]).includes(def.scenarios[name]?.tags.target ?? "");
  const overH2 = (s: LatencyDefinition["scenarios"][string]) => ({ ...s, tags: { ...s.tags, target: h2Twin(s.tags.target), http: "2" } });
  const scenarios: LatencyDefinition["scenarios"] = {};
  for (const [name, s] of Object.entries(def.scenarios)) {
    if (!proxied(name)) scenarios[name] = s;
    else if (mode === "2") scenarios[name] = overH2(s);
    else {
      scenarios[name] = s;
      scenarios[h2Twin(name)] = overH2(s);
    }
  }
  const twins = mode === "both" ? def.comparisons.filter((c) => proxied(c.scenario) && proxied(c.baseline)).map((c) => ({ scenario: h2Twin(c.scenario), baseline: h2Twin(c.baseline) })) : [];
  return { ...def, scenarios, comparisons: [...def.comparisons, ...twins] };
}
