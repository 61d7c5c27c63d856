import pLimit from "p-limit";
import type { Dispatcher } from "undici";
import {
  effectiveHeaders, needsNodeClient, REDACTED, redactText, send, sendRaw, sendStreamed, wireProtocol, type Outcome,
  type RequestSpec, type Target,
} from "../http/index.ts";
import type { Throttle } from "./throttle.ts";
import { CORRELATION_HEADER, correlationId } from "../envoy/index.ts";
import { decide, type JudgeSettings } from "./decide.ts";
import { freezeRecord, type EngineRequest, type RecordedResponse, type WafRecord } from "./record.ts";
import { reproducer, secretValues } from "./reproduce.ts";
import type { WafEvidence, WafLog } from "./waf-log.ts";

export interface EngineOptions {
  target: Target;
  dispatcher: Dispatcher;
  settings: JudgeSettings;
  /** Local stacks: the WAF's own log, for each request's matched rules (exact, by correlation id). */
  wafLog?: WafLog;
  /** Remote targets: this worker's share of the rate limit and concurrency cap. */
  throttle?: Throttle;
  /** Requests in flight at once (the throttle may allow fewer). */
  concurrency: number;
}

/** One request as sent and answered, with the WAF's own evidence about it: what a judge (corpus or ftw) reads. */
export interface Exchanged {
  request: EngineRequest;
  baseUrl: string;
  spec: RequestSpec;
  raw?: string;
  correlationId?: string;
  outcome: Outcome;
  startedAt: string;
}

/**
 * Sends a batch of requests (concurrently), settles the WAF log once for the whole batch, and decides one record
 * per request. A blocked, a bypassed and a failed request cost the same: no retries, no per-request waits.
 */
export class Engine {
  private sequence = 0;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly options: EngineOptions) {
    this.limit = pLimit(Math.max(1, options.concurrency));
  }

  async run(requests: readonly EngineRequest[]): Promise<Array<Readonly<WafRecord>>> {
    return (await this.exchange(requests)).map((x) => this.record(x, x.evidence));
  }

  /** Sends every request (concurrently, within the limits), then settles the WAF log once for the batch. */
  async exchange<R extends EngineRequest>(requests: readonly R[]): Promise<Array<Exchanged & { request: R; evidence: WafEvidence }>> {
    const sent = await Promise.all(requests.map((request) => this.limit(() => this.sendOne(request))));
    const evidence = await this.settle(sent);
    return sent.map((s) => ({ ...s, request: s.request as R, evidence: evidence.get(s.correlationId ?? "") ?? { kind: "none" } }));
  }

  private async sendOne(request: EngineRequest): Promise<Exchanged> {
    const { target, dispatcher, throttle, wafLog } = this.options;
    const upstream = request.via === "upstream";
    const baseUrl = upstream ? target.upstreamUrl : target.baseUrl;
    if (!baseUrl) throw new Error(`target ${target.name} has no upstream URL (request ${request.id})`);
    // Placeholders are filled here, once: what is sent, recorded and compared with the app's echo is the same text.
    request = withPlaceholders(request, target.hostHeader ?? new URL(baseUrl).host);
    // Only requests through the local WAF carry the correlation id: remote traffic stays as the corpus wrote it.
    const id = wafLog && !upstream ? correlationId(wafLog.prefix, this.sequence++) : undefined;
    const spec: RequestSpec = {
      id: request.id, method: request.method, path: request.path, headers: id ? [...request.headers, [CORRELATION_HEADER, id]] : request.headers, body: request.body,
      ...(request.streamed && { streamed: request.streamed }),
    };
    const raw = request.transport === "raw" && request.raw !== undefined ? withHeaderLine(request.raw, id) : undefined;
    const go = () =>
      raw !== undefined ? sendRaw(target, raw, { baseUrl }) : needsNodeClient(target, spec) ? sendStreamed(target, spec, { baseUrl }) : send(target, dispatcher, spec, { baseUrl, captureBody: true });
    const startedAt = new Date().toISOString();
    const outcome = await (throttle ? throttle.run(go) : go());
    return { request, baseUrl, spec, ...(raw !== undefined && { raw }), ...(id && { correlationId: id }), outcome, startedAt };
  }

  private async settle(sent: readonly Exchanged[]): Promise<Map<string, WafEvidence>> {
    const { wafLog, target, dispatcher } = this.options;
    const ids = sent.flatMap((s) => (s.correlationId ? [s.correlationId] : []));
    if (!wafLog || ids.length === 0) return new Map();
    const sentinelId = correlationId(wafLog.prefix, this.sequence++);
    const sentinel: RequestSpec = { id: "wafcheck-sentinel", method: "GET", path: "/status/204", headers: [[CORRELATION_HEADER, sentinelId], ["user-agent", "wafcheck"], ["accept", "*/*"]] };
    return wafLog.settle(ids, sentinelId, () => send(target, dispatcher, sentinel, { timeoutMs: 5_000 }));
  }

  private record(s: Exchanged, evidence: WafEvidence): Readonly<WafRecord> {
    const { target, settings } = this.options;
    const { request, outcome } = s;
    const d = decide(request, outcome, evidence, settings);
    const secrets = secretValues(target);
    const scrub = (text: string) => redactText(text, secrets);
    const body = s.spec.body === undefined ? undefined : typeof s.spec.body === "string" ? s.spec.body : Buffer.from(s.spec.body).toString("latin1");
    const response: RecordedResponse =
      outcome.kind === "error"
        ? { kind: "error", code: outcome.code, message: scrub(outcome.message), elapsedMs: round(outcome.elapsedMs) }
        : {
            kind: "response",
            status: outcome.status,
            // A gateway's Set-Cookie may carry a real session: kept out of reports (requests keep their payload cookies).
            headers: Object.entries(outcome.headers).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [n, n.toLowerCase() === "set-cookie" ? REDACTED : scrub(x)])),
            bodyHead: scrub(outcome.bodyHead),
            elapsedMs: round(outcome.elapsedMs),
          };
    const { suite, group, via: _via, expectStatus: _e, raw: _raw, transport: _t, id, method, path, headers: _h, body: _b, streamed: _s, ...meta } = request;
    return freezeRecord({
      schemaVersion: 1,
      id,
      suite,
      group,
      title: request.title,
      meta,
      target: { name: target.name, baseUrl: s.baseUrl },
      sent: {
        method,
        url: `${s.baseUrl}${path}`,
        headers: effectiveHeaders(target, s.spec, true),
        ...(body !== undefined && { body: scrub(body) }),
        ...(s.raw !== undefined && { raw: scrub(s.raw) }),
        ...(s.correlationId && { correlationId: s.correlationId }),
        protocol: wireProtocol(target, outcome, s.raw !== undefined),
        ...(s.spec.streamed && { streamed: s.spec.streamed }),
        reproducer: reproducer(target, s.baseUrl, s.spec, s.raw),
      },
      response,
      waf: d.waf,
      verdict: d.verdict,
      proxyChanges: d.proxyChanges,
      judgement: d.judgement,
      informational: d.informational,
      fails: d.fails,
      message: scrub(d.message),
      ...(d.acceptedGap && { acceptedGap: { id: d.acceptedGap.id, reason: d.acceptedGap.reason, date: d.acceptedGap.date, source: d.acceptedGap.source } }),
      startedAt: s.startedAt,
    });
  }
}

/** The request with `{{host}}` replaced by the Host it goes to (raw text, the headers parsed from it, path, body). */
export function withPlaceholders<R extends EngineRequest>(request: R, host: string): R {
  const fill = (text: string) => text.replaceAll(HOST_PLACEHOLDER, host);
  const body = typeof request.body === "string" ? fill(request.body) : request.body;
  return {
    ...request,
    path: fill(request.path),
    headers: request.headers.map(([n, v]): [string, string] => [n, fill(v)]),
    ...(body !== undefined && { body }),
    ...(request.raw !== undefined && { raw: fill(request.raw) }),
  };
}

const HOST_PLACEHOLDER = "{{host}}";

/** Puts a header line right after the request line of a raw request (the rest stays byte for byte). */
export function withHeaderLine(raw: string, correlation: string | undefined): string {
  if (correlation === undefined) return raw;
  const end = raw.indexOf("\r\n");
  if (end < 0) return raw;
  return `${raw.slice(0, end + 2)}${CORRELATION_HEADER}: ${correlation}\r\n${raw.slice(end + 2)}`;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
