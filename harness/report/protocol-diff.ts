// WAF_HTTP=both: the same corpus over HTTP/1.1 and HTTP/2, compared request by request. A request the WAF judges
// differently by protocol is a finding of its own (coraza-proxy-wasm #289: HTTP/2 bodies with trailers went
// uninspected). Pure: the verdicts are the two passes' records, nothing is judged again.
import type { VerdictsFile } from "./verdicts.ts";
import { verdictDiff, type ChangeKind } from "./verdict-diff.ts";
import type { ExtraResult } from "./allure-result.ts";
import { esc } from "./junit.ts";

/** How a request differs, read from HTTP/1.1 to HTTP/2. */
export type ProtocolDifferenceKind =
  | "bypass-over-http2" // blocked over HTTP/1.1, reached the app over HTTP/2
  | "bypass-over-http1" // blocked over HTTP/2 only
  | "false-positive-over-http2" // benign: blocked over HTTP/2 only
  | "false-positive-over-http1" // benign: blocked over HTTP/1.1 only
  | "stopped-differently" // kept from the app either way, by another layer (Envoy's codec vs the WAF): not a gap
  | "verdict-changed";

const KIND_OF: Partial<Record<ChangeKind, ProtocolDifferenceKind>> = {
  "new-bypass": "bypass-over-http2",
  "new-block": "bypass-over-http1",
  "new-false-positive": "false-positive-over-http2",
  "fixed-false-positive": "false-positive-over-http1",
  "verdict-changed": "verdict-changed",
};

type Entry = VerdictsFile["requests"][string];
type Side = Pick<Entry, "verdict" | "judgement" | "status" | "rules" | "reproducer">;

export interface ProtocolDifference {
  id: string;
  test: string;
  kind: ProtocolDifferenceKind;
  http1: Side;
  http2: Side;
}

/** summary.json `http`: the comparison; `detection.protocolDifferences` carries the differences themselves. */
export interface ProtocolComparison {
  protocols: ["HTTP/1.1", "HTTP/2"];
  compared: number;
  differences: number;
  /** Differences that change what reaches the app (all but stopped-differently): these fail the run. */
  findings: number;
  counts: Record<ProtocolDifferenceKind, number>;
  /** Same verdict, other rules matched: shown, not a finding. */
  rulesOnly: number;
  /** Raw request text is HTTP/1.1 whatever the pass: not compared. Requests only one pass ran: named. */
  notCompared: { sentAsHttp1InBoth: number; onlyOneProtocol: string[] };
  infra: { http1: number; http2: number };
}

export const PROTOCOL_DIFFERENCE_KINDS: readonly ProtocolDifferenceKind[] = [
  "bypass-over-http2", "bypass-over-http1", "false-positive-over-http2", "false-positive-over-http1", "verdict-changed", "stopped-differently",
];

const STOPPED = new Set(["blocked", "rejected-by-proxy"]);

/** Compares the HTTP/1.1 pass's verdicts with the HTTP/2 pass's, request by request. */
export function compareProtocols(http1: Pick<VerdictsFile, "requests">, http2: Pick<VerdictsFile, "requests">): { comparison: ProtocolComparison; differences: ProtocolDifference[] } {
  // Only requests that really went over HTTP/2 in the second pass are compared (raw text stays HTTP/1.1).
  const overHttp2 = Object.fromEntries(Object.entries(http2.requests).filter(([, e]) => e.protocol === undefined || e.protocol === "HTTP/2"));
  const sentAsHttp1InBoth = Object.keys(http2.requests).length - Object.keys(overHttp2).length;
  const diff = verdictDiff(http1, { ...http2, requests: overHttp2 });
  const differences: ProtocolDifference[] = [];
  let rulesOnly = 0;
  for (const change of diff.changes) {
    const kind = change.kind === "verdict-changed" && STOPPED.has(change.base.verdict) && STOPPED.has(change.candidate.verdict) ? "stopped-differently" : KIND_OF[change.kind];
    if (!kind) {
      rulesOnly++;
      continue;
    }
    differences.push({ id: change.id, test: change.test, kind, http1: side(change.base), http2: side(change.candidate) });
  }
  const counts = Object.fromEntries(PROTOCOL_DIFFERENCE_KINDS.map((k) => [k, differences.filter((d) => d.kind === k).length])) as Record<ProtocolDifferenceKind, number>;
  const onlyOne = [...diff.onlyInBase.filter((id) => http2.requests[id] === undefined), ...diff.onlyInCandidate].sort();
  return {
    comparison: {
      protocols: ["HTTP/1.1", "HTTP/2"],
      compared: diff.compared,
      differences: differences.length,
      findings: differences.filter((d) => d.kind !== "stopped-differently").length,
      counts,
      rulesOnly,
      notCompared: { sentAsHttp1InBoth, onlyOneProtocol: onlyOne },
      infra: { http1: diff.infra.base, http2: diff.infra.candidate },
    },
    differences,
  };
}

function side(e: Entry): Side {
  return { verdict: e.verdict, ...(e.judgement && { judgement: e.judgement }), ...(e.status !== undefined && { status: e.status }), rules: e.rules ?? [], ...(e.reproducer && { reproducer: e.reproducer }) };
}

const KIND_WORDS: Record<ProtocolDifferenceKind, string> = {
  "bypass-over-http2": "blocked over HTTP/1.1 but reached the app over HTTP/2",
  "bypass-over-http1": "blocked over HTTP/2 but reached the app over HTTP/1.1",
  "false-positive-over-http2": "legitimate request blocked over HTTP/2 only",
  "false-positive-over-http1": "legitimate request blocked over HTTP/1.1 only",
  "stopped-differently": "kept from the app over both, by another layer",
  "verdict-changed": "judged differently by protocol",
};

/** One line per difference, for the terminal and summary.md. */
export function differenceLine(d: ProtocolDifference): string {
  const rules = (s: Side) => (s.rules?.length ? ` [${s.rules.join(", ")}]` : "");
  return `${d.id}: ${KIND_WORDS[d.kind]} (HTTP/1.1 ${d.http1.verdict}${d.http1.status ? ` ${d.http1.status}` : ""}${rules(d.http1)}; HTTP/2 ${d.http2.verdict}${d.http2.status ? ` ${d.http2.status}` : ""}${rules(d.http2)})`;
}

/** The Allure result of a difference: failed (a finding), with both replays. */
export function protocolDifferenceResult(d: ProtocolDifference): ExtraResult {
  const replay = (s: Side) => s.reproducer ?? "(no reproducer recorded)";
  return {
    id: `wafcheck:protocol:${d.id}`,
    name: `${d.test} [${d.id}]: ${KIND_WORDS[d.kind]}`,
    fullName: `protocol › ${d.id}`,
    status: d.kind === "stopped-differently" ? "unknown" : "failed",
    message: differenceLine(d),
    descriptionHtml: `<p>${esc(differenceLine(d))}</p>`,
    labels: [
      { name: "epic", value: "HTTP/1.1 vs HTTP/2" },
      { name: "feature", value: d.kind },
      { name: "suite", value: "protocol" },
      { name: "severity", value: d.kind.startsWith("bypass") ? "critical" : "normal" },
    ],
    attachments: [
      { name: "HTTP/1.1 replay", content: `${replay(d.http1)}\n`, type: "text/plain" },
      { name: "HTTP/2 replay", content: `${replay(d.http2)}\n`, type: "text/plain" },
      { name: "difference.json", content: `${JSON.stringify(d, null, 2)}\n`, type: "application/json" },
    ],
  };
}
