// What Istio delivered to its gateway for a WasmPlugin, read from the gateway Envoy's /config_dump (pure: the
// dump and the agent's log are inputs), and istio-agent's refusals in its own words.
import { canonicalJson } from "../manifest/index.ts";

/** The WasmPlugin's filter as the gateway's Envoy holds it. */
export interface DeliveredPlugin {
  /** The gateway listener carrying it. */
  listener: string;
  /** The HTTP filters of that listener, in order. */
  httpFilters: string[];
  /** The plug-in's HTTP filter name (what istiod called it) and its place in the chain (0 = first). */
  filterName: string;
  position: number;
  /** The ECDS resource name the filter is fetched by (config_discovery). */
  ecdsName?: string;
  /** What Envoy runs under that name now: the plug-in, or istio-agent's RBAC stand-in for a module it could not fetch. */
  running: "wasm" | "deny-all fallback (RBAC)" | "allow-all fallback (RBAC)" | "nothing yet" | string;
  /** Used until ECDS delivers (config_discovery.default_config): istiod's fail-closed default. */
  defaultConfig?: string;
  apply_default_config_without_warming?: boolean;
  wasm?: {
    configName: string;
    vmId?: string;
    rootId?: string;
    /** pluginConfig as the plug-in receives it (the configuration StringValue). */
    pluginConfig?: string;
    failOpen: boolean;
    failurePolicy?: string;
    /** Where Envoy loads the module from (istio-agent rewrites the oci:// URL to a file of its cache). */
    code?: string;
    sha256?: string;
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const typeOf = (v: unknown) => String(obj(v)["@type"] ?? "");

const HCM = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const WASM = "envoy.extensions.filters.http.wasm.v3.Wasm";
const RBAC = "envoy.extensions.filters.http.rbac.v3.RBAC";

/**
 * Finds the filter istiod made for WasmPlugin `<namespace>/<name>` in a config_dump (?include_eds not needed) and
 * what Envoy currently runs under it. Undefined when no listener has such a filter (the WasmPlugin selected
 * nothing, or istiod has not pushed it yet).
 */
export function deliveredPlugin(dump: unknown, plugin: { namespace: string; name: string }): DeliveredPlugin | undefined {
  const configs = arr(obj(dump).configs);
  const listeners = configs.filter((c) => typeOf(c).endsWith("ListenersConfigDump")).flatMap((c) => arr(obj(c).dynamic_listeners));
  const ecds = configs.filter((c) => typeOf(c).endsWith("EcdsConfigDump")).flatMap((c) => arr(obj(c).ecds_filters));
  const wanted = `${plugin.namespace}.${plugin.name}`;
  for (const l of listeners) {
    const listener = obj(obj(l).active_state).listener;
    for (const chain of arr(obj(listener).filter_chains)) {
      for (const f of arr(obj(chain).filters)) {
        const hcm = obj(obj(f).typed_config);
        if (!typeOf(hcm).endsWith(HCM)) continue;
        const filters = arr(hcm.http_filters).map(obj);
        // istiod names it `[extensions.istio.io/trafficextension/]<namespace>.<name>[~istio-translated-wasmplugin]`.
        const position = filters.findIndex((h) => {
          const last = String(h.name ?? "").split("/").pop()!;
          return last === wanted || last.startsWith(`${wanted}~`);
        });
        if (position < 0) continue;
        const filter = filters[position]!;
        const discovery = obj(filter.config_discovery);
        const ecdsName = String(filter.name);
        const held = ecds.map((e) => obj(obj(e).ecds_filter)).find((e) => e.name === ecdsName);
        const typed = obj(held?.typed_config);
        const defaultType = typeOf(discovery.default_config);
        return {
          listener: String(obj(listener).name ?? ""),
          httpFilters: filters.map((h) => String(h.name)),
          filterName: ecdsName,
          position,
          ...(Object.keys(discovery).length > 0 && { ecdsName }),
          running: !held ? "nothing yet" : runningKind(typed),
          ...(defaultType && { defaultConfig: describeRbac(defaultType, obj(discovery.default_config)) }),
          ...(discovery.apply_default_config_without_warming !== undefined && { apply_default_config_without_warming: Boolean(discovery.apply_default_config_without_warming) }),
          ...(typeOf(typed).endsWith(WASM) && { wasm: wasmFacts(obj(typed.config)) }),
        };
      }
    }
  }
  return undefined;
}

function runningKind(typed: Json): string {
  const type = typeOf(typed);
  if (type.endsWith(WASM)) return "wasm";
  if (type.endsWith(RBAC)) return `${rbacAction(typed) === "deny-all" ? "deny-all" : "allow-all"} fallback (RBAC)`;
  return type || "unknown";
}

/** istio-agent's fallbacks: an RBAC with no rules (allow all) or with an empty ALLOW policy set (deny all). */
function rbacAction(typed: Json): "deny-all" | "allow-all" {
  const rules = obj(typed.rules);
  if (Object.keys(typed).length <= 1 || !typed.rules) return "allow-all";
  const policies = obj(rules.policies);
  return (rules.action ?? "ALLOW") === "ALLOW" && Object.keys(policies).length === 0 ? "deny-all" : "allow-all";
}

function describeRbac(type: string, config: Json): string {
  return type.endsWith(RBAC) ? `RBAC ${rbacAction(config)}` : type;
}

function wasmFacts(config: Json): NonNullable<DeliveredPlugin["wasm"]> {
  const vm = obj(config.vm_config);
  const code = obj(vm.code);
  const local = obj(code.local);
  const remote = obj(obj(code.remote).http_uri);
  const configuration = obj(config.configuration);
  return {
    configName: String(config.name ?? ""),
    ...(vm.vm_id !== undefined && { vmId: String(vm.vm_id) }),
    ...(config.root_id !== undefined && config.root_id !== "" && { rootId: String(config.root_id) }),
    ...(typeof configuration.value === "string" && { pluginConfig: configuration.value }),
    failOpen: config.fail_open === true,
    ...(config.failure_policy !== undefined && { failurePolicy: String(config.failure_policy) }),
    ...((local.filename ?? remote.uri) !== undefined && { code: String(local.filename ?? remote.uri) }),
    ...(obj(code.remote).sha256 !== undefined && { sha256: String(obj(code.remote).sha256) }),
  };
}

/** istio-agent's own words about wasm modules it could not fetch (its log lines, scope `wasm`, level error). */
export function agentRefusals(log: string): string[] {
  const seen = new Set<string>();
  for (const line of log.split("\n")) {
    const at = line.indexOf("error in converting the wasm config to local: ");
    if (at >= 0) seen.add(line.slice(at).trim());
  }
  return [...seen];
}

/** The delivery as lines for the terminal, and the findings (empty when the plug-in runs as applied). */
export function describeDelivery(d: DeliveredPlugin | undefined, refusals: string[], plugin: { namespace: string; name: string }): { lines: string[]; findings: string[] } {
  const findings = refusals.map((r) => `istio-agent: ${r}`);
  if (!d) {
    findings.push(`no HTTP filter for WasmPlugin ${plugin.namespace}/${plugin.name} on any gateway listener (its selector matched no gateway, or istiod rejected it)`);
    return { lines: [`WasmPlugin ${plugin.namespace}/${plugin.name}: not on the gateway`], findings };
  }
  if (d.running !== "wasm")
    findings.push(
      d.running.startsWith("deny-all")
        ? `the gateway runs istio-agent's deny-all fallback under ${d.filterName} instead of the plug-in: every request gets 403 (fail closed)`
        : d.running.startsWith("allow-all")
          ? `the gateway runs istio-agent's allow-all fallback under ${d.filterName} instead of the plug-in: no request is inspected (fail open)`
          : `the gateway runs ${d.running} under ${d.filterName}, not the plug-in`,
    );
  const lines = [
    `listener ${d.listener}: HTTP filters ${d.httpFilters.join(" → ")}`,
    `plug-in filter: ${d.filterName} (position ${d.position + 1} of ${d.httpFilters.length}${d.ecdsName ? ", delivered by ECDS" : ""})`,
    `running under it: ${d.running}`,
    ...(d.defaultConfig ? [`default until ECDS delivers (fail-closed fallback): ${d.defaultConfig}`] : []),
    ...(d.wasm
      ? [
          `wasm: name ${d.wasm.configName}, vm_id ${d.wasm.vmId ?? "(none)"}, root_id ${d.wasm.rootId || "(empty)"}, fail_open ${d.wasm.failOpen}${d.wasm.failurePolicy ? `, failure_policy ${d.wasm.failurePolicy}` : ""}`,
          `wasm code: ${d.wasm.code ?? "(none)"}${d.wasm.sha256 ? ` sha256 ${d.wasm.sha256.slice(0, 12)}…` : ""}`,
          `pluginConfig as delivered: a JSON string of ${d.wasm.pluginConfig?.length ?? 0} characters`,
        ]
      : []),
  ];
  return { lines, findings };
}

/** The stand-in's (npm run asm -- standin) shape of the same thing, as its Envoy config has it. */
export interface StandinShape {
  httpFilters: string[];
  filterName: string;
  wasmConfigName: string;
  vmId: string;
  rootId: string;
  failurePolicy: string;
  pluginConfig: string;
}

/** Real Istio beside the stand-in, aspect by aspect; `same`/`differs` says which the stand-in must follow. */
export function compareDelivery(d: DeliveredPlugin | undefined, standin: StandinShape): Array<{ aspect: string; istio: string; standin: string; same: boolean }> {
  if (!d) return [];
  const rows: Array<{ aspect: string; istio: string; standin: string }> = [
    { aspect: "HTTP filters", istio: d.httpFilters.join(" → "), standin: standin.httpFilters.join(" → ") },
    { aspect: "plug-in filter name", istio: d.filterName, standin: standin.filterName },
    { aspect: "plug-in position", istio: String(d.position + 1), standin: String(standin.httpFilters.indexOf(standin.filterName) + 1) },
    { aspect: "wasm config name", istio: d.wasm?.configName ?? "-", standin: standin.wasmConfigName },
    { aspect: "vm_id", istio: d.wasm?.vmId ?? "-", standin: standin.vmId },
    { aspect: "root_id", istio: d.wasm?.rootId ?? "-", standin: standin.rootId },
    { aspect: "fail strategy", istio: d.wasm ? (d.wasm.failurePolicy ?? (d.wasm.failOpen ? "fail_open" : "-")) : "-", standin: standin.failurePolicy },
    { aspect: "default config (before ECDS delivers)", istio: d.defaultConfig ?? "none", standin: "none" },
    { aspect: "pluginConfig", istio: describeConfig(d.wasm?.pluginConfig, standin.pluginConfig), standin: "canonical JSON of the manifest's pluginConfig" },
  ];
  return rows.map((r) => ({ ...r, same: r.istio === r.standin || (r.aspect === "pluginConfig" && r.istio.startsWith("byte for byte")) }));
}

function describeConfig(delivered: string | undefined, standin: string): string {
  if (delivered === undefined) return "-";
  if (delivered === standin) return "byte for byte the stand-in's string";
  try {
    return canonicalJson(JSON.parse(delivered)) === canonicalJson(JSON.parse(standin))
      ? "the same JSON value, serialized differently (key order / spacing)"
      : "a different JSON value";
  } catch {
    return "not JSON";
  }
}
