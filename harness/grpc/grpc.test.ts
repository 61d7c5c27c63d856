import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ENVOY_PORTS, GRPC_ALLOW_DIRECTIVES, GRPC_ALLOWED_AUTHORITY, GRPC_ALLOWED_SET, GRPC_HEADERS_ONLY_AUTHORITY,
  GRPC_HEADERS_ONLY_SET, GRPC_NO_BODY_DIRECTIVE, renderEnvoyConfig, withGrpcAllowedSet,
} from "../envoy/index.ts";
import { grpcCalls, grpcSection, grpcVerdict, type GrpcCall, type GrpcCallResult } from "./grpc-finding.ts";
import { decodeStringResponse, encodeVarint, grpcStringRequest } from "./grpc-frame.ts";
import { callPath } from "./grpc-probe.ts";
import { grpcAllureResult } from "./grpc-step.ts";

test("a unary request is one uncompressed frame around { 1: string }, and the response's string decodes back", () => {
  assert.deepEqual([...grpcStringRequest("ab")], [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
  assert.deepEqual([...encodeVarint(300)], [0xac, 0x02]);
  const long = "x".repeat(300);
  assert.equal(grpcStringRequest(long).readUInt32BE(1), 303);
  assert.equal(decodeStringResponse(grpcStringRequest(long)), long);
  assert.equal(decodeStringResponse(grpcStringRequest("<script>é")), "<script>é");
  assert.equal(decodeStringResponse(Buffer.from([0, 0, 0, 0, 0])), "", "an empty StringValue");
  assert.equal(decodeStringResponse(Buffer.from([0, 0, 0, 0, 9, 0x0a])), undefined, "a cut frame");
});

test("the path placement puts the payload in the query, percent-encoded; other placements call the bare method", () => {
  const [call] = grpcCalls().filter((c) => c.id === "configured/xss/path");
  assert.equal(callPath(call!), "/wafcheck.Echo/Search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  assert.equal(callPath({ ...call!, placement: "body" }), "/wafcheck.Echo/Search");
});

test("the gRPC sets are the default set with the content-type allowance before the first CRS file, chosen by :authority", () => {
  const config = { directives_map: { default: ["Include @crs-setup-conf", "SecRuleEngine On", "Include @owasp_crs/*.conf"], other: ["SecRuleEngine Off"] }, default_directives: "default", per_authority_directives: { "a.test": "other" } };
  const out = withGrpcAllowedSet(config);
  assert.deepEqual(out.directives_map[GRPC_ALLOWED_SET], ["Include @crs-setup-conf", "SecRuleEngine On", ...GRPC_ALLOW_DIRECTIVES, "Include @owasp_crs/*.conf"]);
  assert.deepEqual(out.directives_map[GRPC_HEADERS_ONLY_SET], ["Include @crs-setup-conf", "SecRuleEngine On", ...GRPC_ALLOW_DIRECTIVES, GRPC_NO_BODY_DIRECTIVE, "Include @owasp_crs/*.conf"]);
  assert.deepEqual(out.per_authority_directives, { "a.test": "other", [GRPC_ALLOWED_AUTHORITY]: GRPC_ALLOWED_SET, [GRPC_HEADERS_ONLY_AUTHORITY]: GRPC_HEADERS_ONLY_SET });
  assert.deepEqual(out.directives_map.default, config.directives_map.default, "the manifest's own sets are unchanged");
  assert.equal(out.default_directives, "default");
  // The allowance extends a policy the set already has instead of replacing it.
  assert.match(GRPC_ALLOW_DIRECTIVES[1]!, /%\{tx\.allowed_request_content_type\} \|application\/grpc\|/);
  const seedOnly = withGrpcAllowedSet({ directives_map: { default: ["SecRuleEngine On"] }, default_directives: "default" });
  assert.deepEqual(seedOnly.directives_map[GRPC_ALLOWED_SET], ["SecRuleEngine On", ...GRPC_ALLOW_DIRECTIVES]);
});

test("with a gRPC upstream, application/grpc requests go to an HTTP/2 cluster on both clear-text listeners; without one nothing changes", () => {
  const pluginConfig = { directives_map: { default: ["SecRuleEngine On"] }, default_directives: "default" };
  const base = { pluginConfig, wasmPath: "/w", upstream: { host: "httpbin", port: 8080 }, ports: ENVOY_PORTS };
  assert.ok(!JSON.stringify(renderEnvoyConfig(base)).includes("grpc"));
  const config = renderEnvoyConfig({ ...base, grpc: { host: "grpc", port: 8080 } }) as { static_resources: { listeners: Array<{ name: string; filter_chains: Array<{ filters: Array<{ typed_config: { route_config: { virtual_hosts: Array<{ routes: Array<{ match: Record<string, unknown>; route: { cluster: string } }> }> } } }> }> }>; clusters: Array<Record<string, unknown>> } };
  for (const name of ["waf", "baseline"]) {
    const routes = config.static_resources.listeners.find((l) => l.name === name)!.filter_chains[0]!.filters[0]!.typed_config.route_config.virtual_hosts[0]!.routes;
    assert.equal(routes[0]!.route.cluster, "grpc", "the gRPC route comes before the catch-all");
    assert.deepEqual(routes[0]!.match.headers, [{ name: "content-type", string_match: { prefix: "application/grpc" } }]);
    assert.equal(routes.at(-1)!.route.cluster, "upstream");
  }
  const cluster = config.static_resources.clusters.find((c) => c.name === "grpc")!;
  assert.match(JSON.stringify(cluster), /"explicit_http_config":\{"http2_protocol_options":\{\}\}/);
});

// What the probe measured on the real stack (CRS 4.14 PL1, the project's manifest), reduced to rules and statuses.
interface Measured { status: number; grpcStatus: number; rules?: number[]; phase?: string; upstream?: boolean }
const MEASURED: Record<string, Measured> = {};
function measure(mode: string, cls: string, placement: string, m: Measured) {
  MEASURED[`${mode}/${cls}/${placement}`] = m;
}
const blocked = (rules: number[], phase = "http_request_headers") => ({ status: 200, grpcStatus: 7, rules, phase });
const passed: Measured = { status: 200, grpcStatus: 0, rules: [], upstream: true };
const DETECT_PATH: Record<string, number[]> = { sqli: [942100], xss: [941100, 941110], rce: [930120, 932160], lfi: [930100, 930110], log4shell: [932130, 944150] };
for (const mode of ["configured", "grpc-allowed", "grpc-headers-only"]) measure(mode, "seed-rule", "metadata", blocked([101]));
for (const cls of ["benign", ...Object.keys(DETECT_PATH)])
  for (const placement of ["body", "metadata", "path"]) {
    measure("configured", cls, placement, blocked([920420, 949111]));
    const metadataHit = placement === "metadata" && (cls === "lfi" || cls === "log4shell");
    const payloadRules = cls === "benign" || (placement === "metadata" && !metadataHit) ? [] : DETECT_PATH[cls]!;
    measure("grpc-allowed", cls, placement, metadataHit || (placement === "path" && cls !== "benign") ? blocked([...payloadRules, 949111]) : blocked([920270, 921150, ...payloadRules, 949110], "http_request_body"));
    measure("grpc-headers-only", cls, placement, placement === "body" || payloadRules.length === 0 ? (placement === "path" ? { status: 200, grpcStatus: 12, rules: [] } : passed) : blocked([...payloadRules, 949111]));
  }

function resultsFrom(table: typeof MEASURED, change: (call: GrpcCall, r: GrpcCallResult) => GrpcCallResult = (_c, r) => r): GrpcCallResult[] {
  return grpcCalls().map((call) => {
    const m: Measured = call.mode === "baseline" ? passed : table[call.id]!;
    const r: GrpcCallResult = {
      ...call,
      status: m.status,
      grpcStatus: m.grpcStatus,
      reachedUpstream: m.upstream ?? false,
      ...(call.mode !== "baseline" && { rules: (m.rules ?? []).map((id) => ({ id })) }),
      ...(m.phase && { interrupted: { action: "deny", phase: m.phase } }),
      durationMs: 5,
    };
    return change(call, r);
  });
}

test("the measured results make the finding: gRPC blocked by content type, body seen as raw bytes, metadata only partly", () => {
  const section = grpcSection(resultsFrom(MEASURED));
  assert.equal(section.measured, true);
  assert.equal(section.calls.length, 1 + 3 * 19);
  assert.equal(section.contentTypeBlocked, true);
  assert.deepEqual(section.contentTypeRules, [920420, 949111]);
  assert.equal(section.framingBlocked, true);
  assert.deepEqual(section.framingRules, [920270, 921150]);
  assert.equal(section.bodyInspected, true);
  assert.deepEqual(section.placements["grpc-allowed"].body.detectedClasses, ["sqli", "xss", "rce", "lfi", "log4shell"]);
  assert.deepEqual(section.placements["grpc-allowed"].metadata, { attacks: 5, blocked: 5, detected: 2, detectedClasses: ["lfi", "log4shell"], detectionRules: [930100, 930110, 932130, 944150] });
  assert.equal(section.placements["grpc-headers-only"].body.blocked, 0);
  assert.equal(section.placements["grpc-headers-only"].path.blocked, 5);
  assert.equal(section.benignPassesHeadersOnly, true);
  assert.equal(section.wafInPath, true);
  assert.equal(section.routeWorks, true);
  assert.equal(section.errors, 0);
  assert.match(section.finding, /every gRPC call is blocked, benign ones too \(HTTP 200 with grpc-status 7 PERMISSION_DENIED, rules 920420, 949111\)/);
  assert.match(section.finding, /CRS does see protobuf payloads, but only as raw bytes/);
  assert.match(section.finding, /body 5\/5, metadata 2\/5 \(lfi, log4shell\), path 5\/5/);
  const row = section.calls.find((c) => c.id === "configured/benign/body")!;
  assert.deepEqual([row.verdict, row.asExpected, row.interruptedIn], ["blocked", false, "http_request_headers"]);
  assert.deepEqual(section.calls.find((c) => c.id === "grpc-allowed/sqli/body")!.detectionRules, [942100], "the framing's rules are not counted as detection");
});

test("a body the WAF does not see, a WAF not in the path, a broken route: each is said plainly, none is a pass", () => {
  const blind = grpcSection(resultsFrom(MEASURED, (c, r) => (c.mode === "grpc-allowed" && c.placement === "body" ? { ...r, rules: [{ id: 920270 }, { id: 921150 }, { id: 949110 }] } : r)));
  assert.equal(blind.bodyInspected, false);
  assert.match(blind.finding, /CRS does NOT see protobuf payloads/);

  const noWaf = grpcSection(resultsFrom(MEASURED, (c, r) => (c.payloadClass === "seed-rule" ? { ...r, grpcStatus: 0, reachedUpstream: true, rules: [], interrupted: undefined } as GrpcCallResult : r)));
  assert.equal(noWaf.wafInPath, false);
  assert.match(noWaf.finding, /^gRPC was not measured: the seed rule/);

  const down = grpcSection(resultsFrom(MEASURED, (c, r) => (c.mode === "baseline" ? { ...c, error: "stream closed without a response (code 2)", reachedUpstream: false, durationMs: 1 } : r)));
  assert.equal(down.routeWorks, false);
  assert.equal(down.errors, 1);
  assert.match(down.finding, /^gRPC was not measured: a benign call through the no-WAF listener/);
});

test("verdicts: an interruption or the WAF's PERMISSION_DENIED is a block, the upstream's answer a pass, Envoy's UNAVAILABLE an error", () => {
  const call = grpcCalls()[1]!;
  const base = { ...call, reachedUpstream: false, durationMs: 1 };
  assert.equal(grpcVerdict({ ...base, status: 200, grpcStatus: 7 }), "blocked");
  assert.equal(grpcVerdict({ ...base, status: 403 }), "blocked");
  assert.equal(grpcVerdict({ ...base, status: 200, grpcStatus: 0, reachedUpstream: true }), "allowed");
  assert.equal(grpcVerdict({ ...base, status: 200, grpcStatus: 12 }), "allowed");
  assert.equal(grpcVerdict({ ...base, status: 200, grpcStatus: 14 }), "error");
  assert.equal(grpcVerdict({ ...base, error: "no answer within 10 s" }), "error");
  assert.equal(grpcVerdict({ ...base, mode: "baseline", status: 200, grpcStatus: 7 }), "error", "no WAF on the baseline: a denial there is not the WAF's");
});

test("each call is an Allure result: passed as expected, failed otherwise (a blocked benign call), broken on an error", () => {
  const section = grpcSection(resultsFrom(MEASURED));
  const results = resultsFrom(MEASURED);
  const of = (id: string) => grpcAllureResult(results.find((r) => r.id === id)!, section.calls.find((c) => c.id === id)!);
  assert.equal(of("configured/seed-rule/metadata").status, "passed");
  assert.equal(of("configured/benign/body").status, "failed");
  assert.equal(of("grpc-headers-only/sqli/body").status, "failed");
  assert.equal(of("grpc-headers-only/benign/body").status, "passed");
  const r = of("grpc-allowed/xss/path");
  assert.equal(r.id, "grpc/grpc-allowed/xss/path");
  assert.ok(r.descriptionHtml!.includes("%3Cscript%3E") && !r.descriptionHtml!.includes("<script>"));
  assert.ok(r.labels.some((l) => l.name === "suite" && l.value === "grpc"));
});

test("WAF_GRPC is off by default, on when asked, and anything else is bad input", async () => {
  const { parseEnv } = await import("../config/index.ts");
  assert.equal(parseEnv({}).WAF_GRPC, "off");
  assert.equal(parseEnv({ WAF_GRPC: "on" }).WAF_GRPC, "on");
  assert.throws(() => parseEnv({ WAF_GRPC: "yes" }), /WAF_GRPC=yes/);
});
