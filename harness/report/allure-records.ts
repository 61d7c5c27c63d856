// The Allure result of one record (a view: nothing here decides a verdict). Its status and category come from its
// kind (kinds.ts): an attack that reached the app is never green, whatever the reason it is accepted.
import type { WafRecord } from "../engine/index.ts";
import { http1HeadLines } from "../http/index.ts";
import { owasp2025Name } from "../payloads/index.ts";
import type { ExtraResult } from "./allure-result.ts";
import { KINDS, kindTrace } from "../verdict/index.ts";
import { recordKind } from "./counts.ts";
import { esc } from "./junit.ts";

export function allureStatusOf(r: WafRecord): ExtraResult["status"] {
  return KINDS[recordKind(r)].allure;
}

/**
 * Allure severity from what the request is, not from the test: code execution classes are blockers, injection and
 * file access critical, probes and protocol abuse normal; a benign request (a false positive when it fails) normal.
 */
const CLASS_SEVERITY: Record<string, string> = {
  rce: "blocker", "java-injection": "blocker", ssti: "blocker", "php-injection": "blocker", "nodejs-injection": "blocker",
  sqli: "critical", xss: "critical", lfi: "critical", rfi: "critical", ssrf: "critical", xxe: "critical", nosqli: "critical",
  ldapi: "critical", "file-upload": "critical", conformance: "critical",
  "session-fixation": "normal", protocol: "normal", "misconfig-probe": "normal", scanner: "minor", benign: "normal",
};

export function severityOf(r: WafRecord): string {
  return CLASS_SEVERITY[r.meta.class] ?? r.meta.severity;
}

/** The request as an HTTP/1.1 message (raw requests: the bytes written; others: as undici frames them, near enough). */
export function requestText(r: WafRecord): string {
  if (r.sent.raw !== undefined) return r.sent.raw;
  const url = new URL(r.sent.url);
  const lines = http1HeadLines(r.sent.method, `${url.pathname}${url.search}`, r.sent.headers, url.host);
  if (r.sent.body !== undefined) lines.push(`content-length: ${Buffer.byteLength(r.sent.body, "latin1")}`);
  return `${lines.join("\r\n")}\r\n\r\n${r.sent.body ?? ""}`;
}

function epicOf(r: WafRecord): string {
  if (r.suite === "conformance") return "Conformance";
  if (r.meta.expect === "allow") return "Benign traffic (must pass)";
  return owasp2025Name(r.meta.owasp2025);
}

/** `stackCommand`: how to bring back the stack this record came from (local runs). */
export function allureResultOf(r: WafRecord, targetName: string, stackCommand?: string): ExtraResult {
  const kind = recordKind(r);
  const rules = r.waf.rules.map((x) => `${x.id}${x.disruptive ? ` [${x.disruptive.action}, phase ${x.disruptive.phase}]` : ""}  ${x.msg ?? ""}${x.data ? `\n    ${x.data}` : ""}`);
  const response =
    r.response.kind === "error"
      ? `error: ${r.response.code}: ${r.response.message}\nafter ${r.response.elapsedMs} ms\n`
      : [`HTTP ${r.response.status} (${r.response.elapsedMs} ms)`, ...r.response.headers.map(([n, v]) => `${n}: ${v}`), "", r.response.bodyHead].join("\n");
  const facts: Array<[string, string]> = [
    ["Verdict", `${KINDS[kind].label} (${r.verdict} → ${r.judgement}${r.informational ? ", informational" : ""})`],
    ["What happened", r.message],
    ...(r.acceptedGap ? [["Accepted gap", `${r.acceptedGap.reason} (reviewed ${r.acceptedGap.date}, ${r.acceptedGap.source})`] as [string, string]] : []),
    ...(r.proxyChanges.length > 0 ? [["Changed by proxy", r.proxyChanges.join("; ")] as [string, string]] : []),
    ...(r.waf.note ? [["WAF log", r.waf.note] as [string, string]] : []),
    ["Replay", r.sent.reproducer],
    ...(stackCommand ? [["Same stack", stackCommand] as [string, string]] : []),
  ];
  // The HTTP/2 pass of WAF_HTTP=both is another request: its own history, told apart in the name.
  const h2 = r.sent.protocol === "HTTP/2";
  return {
    id: `wafcheck:${r.suite}:${r.id}${h2 ? "@http2" : ""}`,
    name: `${r.title} [${r.id}]${h2 ? " · HTTP/2" : ""}`,
    fullName: `${r.suite} › ${r.group} › ${r.id}${h2 ? " › HTTP/2" : ""}`,
    status: KINDS[kind].allure,
    message: r.message,
    trace: `${kindTrace(kind)}\n${KINDS[kind].label}`,
    descriptionHtml: `<dl>${facts.map(([k, v]) => `<dt><b>${esc(k)}</b></dt><dd><code>${esc(v)}</code></dd>`).join("")}</dl>`,
    start: Date.parse(r.startedAt),
    stop: Date.parse(r.startedAt) + Math.round(r.response.elapsedMs),
    labels: [
      { name: "epic", value: epicOf(r) },
      { name: "kind", value: kind },
      { name: "feature", value: r.suite === "conformance" ? "Seed rule 101" : r.meta.class },
      { name: "story", value: `${r.meta.placement} / ${r.meta.encoding}` },
      { name: "severity", value: severityOf(r) },
      { name: "suite", value: r.suite },
      { name: "subSuite", value: r.group },
      { name: "target", value: targetName },
      ...(r.meta.cwe !== "-" ? [{ name: "cwe", value: r.meta.cwe }] : []),
      ...(r.informational ? [{ name: "tag", value: "informational" }] : []),
    ],
    parameters: [
      { name: "placement", value: r.meta.placement },
      { name: "encoding", value: r.meta.encoding },
      { name: "expect", value: r.meta.expect },
      { name: "paranoia", value: String(r.meta.paranoia ?? "-") },
      ...(r.sent.protocol ? [{ name: "protocol", value: r.sent.protocol }] : []),
    ],
    attachments: [
      { name: "request (replay)", content: `${r.sent.reproducer}\n`, type: "text/plain" },
      { name: r.sent.raw !== undefined ? "raw request (bytes sent)" : h2 ? "request (sent as HTTP/2, shown as HTTP/1.1 text)" : "request (HTTP/1.1)", content: requestText(r), type: "text/plain" },
      { name: "response", content: response, type: "text/plain" },
      ...(r.waf.evidence !== "none" ? [{ name: "matched CRS rules", content: `${rules.join("\n") || "(none)"}\n`, type: "text/plain" }] : []),
      { name: "record.json", content: `${JSON.stringify(r, null, 2)}\n`, type: "application/json" },
    ],
  };
}
