import assert from "node:assert/strict";
import { test } from "node:test";
import { CORRELATION_DIRECTIVES, withCorrelationRules } from "../envoy/index.ts";
import { decide, type JudgeSettings } from "./decide.ts";
import { withHeaderLine } from "./engine.ts";
import { reproducer } from "./reproduce.ts";
import { fakeRequest, FROM_UPSTREAM, response } from "./test-records.ts";
import type { WafEvidence } from "./waf-log.ts";

const settings: JudgeSettings = { paranoia: 1, capabilities: new Set(["early-blocking"]), gaps: [], policy: { blockStatuses: [403] } };
const logged = (ids: number[], over: Partial<Extract<WafEvidence, { kind: "logged" }>> = {}): WafEvidence => ({
  kind: "logged", txId: "T", rules: ids.map((id) => ({ id, ...(id === 949110 && { msg: "Inbound Anomaly Score Exceeded (Total Score: 10)", disruptive: { action: "denied", phase: 2 } }) })), complete: true, ...over,
});
const interrupted = { interrupted: { action: "deny", phase: "http_request_headers" } };

test("an attack the WAF interrupted is a true positive, with the rules and score a reviewer reads", () => {
  const d = decide(fakeRequest(), response(403), logged([942100, 949110], interrupted), settings);
  assert.equal(d.verdict, "blocked");
  assert.equal(d.judgement, "true-positive");
  assert.equal(d.fails, false);
  assert.equal(d.waf.inboundScore, 10);
  assert.deepEqual(d.waf.interruptedBy, { action: "deny", phase: "http_request_headers", ruleId: 949110 });
  assert.match(d.message, /rules matched: 942100, 949110/);
});

test("an attack that reached the app is a bypass, named as such", () => {
  const d = decide(fakeRequest({ placement: "cookie" }), response(200, FROM_UPSTREAM), logged([920350]), settings);
  assert.equal(d.judgement, "bypass");
  assert.equal(d.fails, true);
  assert.match(d.message, /^WAF bypass: sqli in cookie reached the app \(HTTP 200\); rules matched: 920350/);
  // CRS's phase-5 report of a score that stayed below the threshold.
  const low = { kind: "logged" as const, txId: "T", complete: true, rules: [{ id: 942100 }, { id: 980170, msg: "Anomaly Scores: (Inbound Scores: blocking=3, detection=3, per_pl=3-0-0-0, threshold=5)" }] };
  assert.match(decide(fakeRequest(), response(200, FROM_UPSTREAM), low, { ...settings, inboundThreshold: 5 }).message, /inbound anomaly score 3 < threshold 5; rules matched: 942100, 980170/);
});

test("a 403 the WAF did not interrupt is the app's own answer, not a block", () => {
  const d = decide(fakeRequest(), response(403, FROM_UPSTREAM), logged([]), settings);
  assert.equal(d.verdict, "allowed");
  assert.equal(d.judgement, "bypass");
  assert.match(d.message, /came from the app/);
  // Without the WAF's log (a remote gateway) the status decides.
  assert.equal(decide(fakeRequest(), response(403), { kind: "none" }, settings).verdict, "blocked");
  // An incomplete log proves nothing: the status stands.
  assert.equal(decide(fakeRequest(), response(403), logged([], { complete: false }), settings).verdict, "blocked");
});

test("a block that only masks an upstream 5xx (CRS 950100, early blocking) is infra", () => {
  const d = decide(fakeRequest({ path: "/status/503" }), response(403), logged([950100, 959100], { interrupted: { action: "deny", phase: "http_response_headers" } }), settings);
  assert.equal(d.verdict, "infra");
  assert.equal(d.judgement, "infra");
  assert.equal(d.fails, true);
});

test("an unreadable WAF log is an infrastructure error, named", () => {
  const d = decide(fakeRequest(), response(403), { kind: "unreadable", reason: "WAF log /tmp/x unreadable: ENOENT" }, settings);
  assert.equal(d.judgement, "infra");
  assert.match(d.message, /WAF log \/tmp\/x unreadable/);
});

test("accepted gaps, paranoia and expected statuses are judged here, once", () => {
  const gap = { id: "sqli-001", reason: "known: no CRS rule", date: "2026-11-26", source: "payloads/exceptions.yaml" };
  const accepted = decide(fakeRequest(), response(200, FROM_UPSTREAM), logged([]), { ...settings, gaps: [gap] });
  assert.equal(accepted.judgement, "accepted-gap");
  assert.equal(accepted.fails, false);
  assert.equal(accepted.acceptedGap?.id, "sqli-001");
  const above = decide(fakeRequest({ paranoia: 3 }), response(200, FROM_UPSTREAM), logged([]), settings);
  assert.equal(above.informational, true);
  assert.equal(above.fails, false);
  const benign = fakeRequest({ expect: "allow", expectStatus: 200 });
  assert.equal(decide(benign, response(200, FROM_UPSTREAM), logged([]), settings).fails, false);
  const wrong = decide(benign, response(404, FROM_UPSTREAM), logged([]), settings);
  assert.equal(wrong.fails, true);
  assert.match(wrong.message, /answered HTTP 404 \(expected 200\)/);
});

test("timeouts and resets are infra, never a verdict", () => {
  const d = decide(fakeRequest(), { kind: "error", code: "UND_ERR_HEADERS_TIMEOUT", message: "timeout", elapsedMs: 15_000 }, { kind: "not-logged", reason: "" }, settings);
  assert.equal(d.judgement, "infra");
  assert.equal(d.fails, true);
});

test("the start rule goes first and the end rule last in every directive set; the manifest's own directives are unchanged between", () => {
  const config = { directives_map: { a: ["SecRuleEngine On"], b: ["Include @owasp_crs/*.conf"] }, default_directives: "a" };
  const loaded = withCorrelationRules(config);
  assert.deepEqual(loaded.directives_map.a, [CORRELATION_DIRECTIVES[0], "SecRuleEngine On", CORRELATION_DIRECTIVES[1]]);
  assert.deepEqual(loaded.directives_map.b!.slice(1, -1), ["Include @owasp_crs/*.conf"]);
  assert.deepEqual(config.directives_map.a, ["SecRuleEngine On"], "the manifest is not modified");
  assert.match(CORRELATION_DIRECTIVES[0]!, /phase:1,pass,log/);
  assert.match(CORRELATION_DIRECTIVES[1]!, /TX:wafcheck_id.*phase:5,pass,log/);
});

test("a raw request gets the correlation header right after its request line, the rest byte for byte", () => {
  const raw = "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
  assert.equal(withHeaderLine(raw, "wc-1-2-3"), "GET / HTTP/1.1\r\nx-wafcheck-id: wc-1-2-3\r\nHost: a\r\nHost: b\r\n\r\n");
  assert.equal(withHeaderLine(raw, undefined), raw);
});

test("a reproducer replays a cookie attack as sent and redacts only the target's configured secrets", () => {
  const spec = { id: "x", method: "GET", path: "/get", headers: [["Cookie", "session=1' OR '1'='1"]] as Array<[string, string]> };
  const local = reproducer({ headers: {} }, "http://127.0.0.1:1", spec);
  assert.match(local, /Cookie: session=1'\\''\s?OR '\\''1'\\''='\\''1/);
  const gateway = reproducer({ hostHeader: "app.example.test", headers: { Authorization: "Bearer top-secret-token" } }, "https://gw", spec);
  assert.doesNotMatch(gateway, /top-secret-token/);
  assert.match(gateway, /Authorization: \[REDACTED\]/);
  assert.match(gateway, /Cookie: session=1/);
});

test("a WebSocket upgrade the app accepted (101 Switching Protocols) reached the app", () => {
  const ws = { placement: "websocket", path: "/websocket/echo?q=x", transport: "raw", raw: "GET /websocket/echo?q=x HTTP/1.1\r\n\r\n" } as const;
  const upgraded = response(101, { ...FROM_UPSTREAM, upgrade: "websocket", connection: "upgrade" });
  const attack = decide(fakeRequest(ws), upgraded, logged([920350]), settings);
  assert.equal(attack.verdict, "allowed");
  assert.equal(attack.judgement, "bypass");
  assert.deepEqual(attack.proxyChanges, [], "no echo body to compare: not a proxy change");
  const benign = decide(fakeRequest({ ...ws, expect: "allow", class: "benign" }), upgraded, logged([]), settings);
  assert.equal(benign.verdict, "allowed");
  assert.equal(benign.judgement, "true-negative");
  assert.equal(benign.fails, false);
  // Blocked by the WAF: an ordinary block.
  assert.equal(decide(fakeRequest(ws), response(403), logged([941100, 949110], interrupted), settings).judgement, "true-positive");
});

test("a 403 the WAF never saw (no log line: Envoy refused an upgrade itself) is rejected by proxy, not blocked", () => {
  const notLogged: WafEvidence = { kind: "not-logged", reason: "no WAF log line: the request did not reach the WAF" };
  const attack = decide(fakeRequest({ placement: "websocket" }), response(403, { connection: "close" }), notLogged, settings);
  assert.equal(attack.verdict, "rejected-by-proxy");
  assert.equal(attack.judgement, "rejected-by-proxy");
  assert.match(attack.message, /Envoy answered HTTP 403 itself: no WAF log line/);
  assert.equal(decide(fakeRequest({ expect: "allow", class: "benign" }), response(403), notLogged, settings).judgement, "rejected-by-proxy");
  // A WAF that logs nothing at all (engine off, log level) proves nothing: the status stands.
  const silent: WafEvidence = { kind: "not-logged", reason: "the WAF logged nothing for any request", wafSilent: true };
  assert.equal(decide(fakeRequest(), response(403), silent, settings).verdict, "blocked");
});

test("the WAF's own evidence ranks first: an interruption it logged is its block, whatever status carried it", () => {
  const bodyLimit = { interrupted: { action: "deny", phase: "http_request_body" } };
  const d = decide(fakeRequest({ placement: "raw" }), response(413), logged([], bodyLimit), settings);
  assert.equal(d.verdict, "blocked");
  assert.equal(d.judgement, "true-positive");
  assert.match(d.message, /the WAF answered with HTTP 413/);
  assert.doesNotMatch(d.message, /rejected by proxy/);
  // Without an interruption in the WAF's log, the same 413 is Envoy's own.
  assert.equal(decide(fakeRequest({ placement: "raw" }), response(413), logged([]), settings).verdict, "rejected-by-proxy");
});

test("placeholders are filled before a raw request is recorded or compared", async () => {
  const { withPlaceholders } = await import("./engine.ts");
  const raw = "GET /get HTTP/1.1\r\nHost: {{host}}\r\nX: a\r\n\r\n";
  const filled = withPlaceholders(fakeRequest({ transport: "raw", raw, headers: [["Host", "{{host}}"], ["X", "a"]] }), "app.example");
  assert.equal(filled.raw, "GET /get HTTP/1.1\r\nHost: app.example\r\nX: a\r\n\r\n");
  assert.deepEqual(filled.headers, [["Host", "app.example"], ["X", "a"]]);
});
