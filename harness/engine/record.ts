import type { CaseMeta } from "../payloads/index.ts";
import type { RequestSpec, WireProtocol } from "../http/index.ts";
import type { Judgement, Verdict } from "../verdict/index.ts";
import type { LoggedRule } from "./waf-log.ts";

/**
 * A request as the engine takes it: what to send, and what is expected of the WAF. Corpus requests carry their
 * case's metadata; conformance requests fill the same fields.
 */
export type EngineRequest = RequestSpec &
  RecordMeta & {
    /** The suite it belongs to (conformance, owasp, false-positives): summary.json counts under it. */
    suite: string;
    /** The Playwright test that runs it (a corpus group, or a conformance case). */
    group: string;
    transport: "http" | "raw";
    /** Raw transport: CRLF-delimited request text with a `{{host}}` placeholder. */
    raw?: string;
    /** Send straight to the app (local only), not through the gateway. */
    via?: "gateway" | "upstream";
    /** Besides the verdict, the status the app must answer (e.g. httpbin's 200 for an allowed request). */
    expectStatus?: number;
  };

/** A case's metadata; `class` is the corpus class, or e.g. `conformance` for the seed-rule cases. */
export type RecordMeta = Omit<CaseMeta, "class"> & { class: string };

/** The response part of a record, secrets redacted; the body is kept whole only where a reviewer needs it. */
export type RecordedResponse =
  | { kind: "response"; status: number; headers: Array<[string, string]>; bodyHead: string; elapsedMs: number }
  | { kind: "error"; code: string; message: string; elapsedMs: number };

export interface RecordedWaf {
  /** logged: the WAF's own lines for this request; not-logged; unreadable (infra); none (remote: status only). */
  evidence: "logged" | "not-logged" | "unreadable" | "none";
  /** Why there is no evidence (not-logged / unreadable). */
  note?: string;
  /** Coraza's transaction id (unique_id in its log). */
  txId?: string;
  rules: LoggedRule[];
  /** The interruption the WAF carried out (the plug-in's own line), and the rule behind it when Coraza logged one. */
  interruptedBy?: { action: string; phase: string; ruleId?: number };
  /** Inbound anomaly score CRS reported (949110/949111 message), when logged. */
  inboundScore?: number;
}

/**
 * One request, decided once: everything a view shows and a reviewer needs to replay it. Immutable: views read
 * it, none amends it.
 */
export interface WafRecord {
  schemaVersion: 1;
  id: string;
  suite: string;
  group: string;
  title: string;
  meta: RecordMeta;
  target: { name: string; baseUrl: string };
  /** The request exactly as sent (configured secrets redacted), and how to send it again. */
  sent: {
    method: string;
    url: string;
    headers: Array<[string, string]>;
    body?: string;
    /** Raw transport: the bytes written to the socket. */
    raw?: string;
    correlationId?: string;
    /** Body sent without Content-Length, then these trailers (RequestSpec.streamed). */
    streamed?: { trailers: Array<[string, string]> };
    /** The HTTP version it went over (absent in records written before WAF_HTTP). */
    protocol?: WireProtocol;
    reproducer: string;
  };
  response: RecordedResponse;
  waf: RecordedWaf;
  verdict: Verdict;
  /** What Envoy changed on the way to the app (allowed requests, from httpbin's echo). */
  proxyChanges: string[];
  judgement: Judgement;
  informational: boolean;
  fails: boolean;
  /** One line in a reviewer's words. */
  message: string;
  /** The exceptions.yaml entry that accepts this request reaching the app (id: a case or request id). */
  acceptedGap?: { id: string; reason: string; date: string; source: string };
  startedAt: string;
}

/** Freezes a record (deeply enough: views get plain data they cannot change by accident). */
export function freezeRecord(record: WafRecord): Readonly<WafRecord> {
  for (const value of Object.values(record)) if (value && typeof value === "object") Object.freeze(value);
  return Object.freeze(record);
}
