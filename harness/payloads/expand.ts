import { http1HeadLines, type RequestSpec } from "../http/index.ts";
import { ACCEPT_JSON, MULTIPART_BOUNDARY, browserHeaders, setHeader } from "./browser.ts";
import { encode } from "./encode.ts";
import {
  escapeCookieValue, escapeGraphqlString, escapeHeaderValue, escapeMultipartQuoted, escapePath, escapeQueryName, escapeQueryValue,
  escapeQueryWhole, escapeXmlText,
} from "./escape.ts";
import { isExcluded } from "./exclude.ts";
import { normalizeRaw, parseRaw } from "./raw.ts";
import type { Case, CaseClass, CaseRequest, Encoding, Placement } from "./schema.ts";
import type { Requirement } from "../manifest/index.ts";

/** What a report needs to know about the case behind a request. */
export interface CaseMeta {
  caseId: string;
  title: string;
  class: CaseClass;
  owasp2025: string;
  owasp2021: string;
  cwe: string;
  severity: Case["severity"];
  expect: Case["expect"];
  /** Attacks: lowest CRS paranoia level expected to block. Benign: highest level expected to pass (absent: all). */
  paranoia?: number;
  placement: Placement;
  encoding: Encoding;
  crsRules: number[];
  /** The app's own status for this request when the WAF lets it through (e.g. 500 for /status/500). */
  appStatus?: number;
  /** WAF settings the case needs to be judged (else informational). */
  requires?: Requirement[];
  /** The corpus file the case came from, when loaded from disk. */
  source?: string;
}

/** A request of the corpus: sent by the HTTP client, or (transport raw) written to a socket as `raw`. */
export type ExpandedRequest = RequestSpec &
  CaseMeta &
  ({ transport: "http" } | { transport: "raw"; /** CRLF-delimited request text with a `{{host}}` placeholder. */ raw: string });

/** One request per placement × encoding of the case, in the order the case lists them. */
export function expandCase(c: Case & { source?: string }): ExpandedRequest[] {
  if (c.request !== undefined) return [fromRequest(c, c.request)];
  const payload = c.payload!;
  const out: ExpandedRequest[] = [];
  for (const placement of c.placements ?? []) {
    for (const encoding of c.encodings ?? ["none"]) {
      if (isExcluded(c.exclude, placement, encoding)) continue;
      const spec = place(placement, encode(payload, encoding), c);
      const id = `${c.id}/${placement}/${encoding}`;
      // An upgrade is a GET that undici's request() cannot make: written to a socket, read up to the 101's header block.
      if (placement === "websocket") out.push({ ...spec, id, ...meta(c, placement, encoding), transport: "raw", raw: rawText(spec) });
      else out.push({ ...spec, id, ...meta(c, placement, encoding), transport: "http" });
    }
  }
  return out;
}

/** Every case expanded; throws if two requests share an id (cannot happen for a validated corpus). */
export function expandCases(cases: ReadonlyArray<Case & { source?: string }>): ExpandedRequest[] {
  const out = cases.flatMap(expandCase);
  const seen = new Set<string>();
  for (const r of out) {
    if (seen.has(r.id)) throw new Error(`duplicate request id ${r.id}`);
    seen.add(r.id);
  }
  return out;
}

function meta(c: Case & { source?: string }, placement: Placement, encoding: Encoding): CaseMeta {
  return {
    caseId: c.id, title: c.title, class: c.class, owasp2025: c.owasp2025, owasp2021: c.owasp2021, cwe: c.cwe,
    severity: c.severity, expect: c.expect, ...(c.paranoia !== undefined && { paranoia: c.paranoia }),
    placement, encoding, crsRules: c.crsRules ?? [], ...(c.source !== undefined && { source: c.source }),
    ...(c.appStatus !== undefined && { appStatus: c.appStatus }), ...(c.requires !== undefined && { requires: c.requires }),
  };
}

type Spec = Omit<RequestSpec, "id">;

/** Puts an (already encoded) payload into the request where the placement says. */
export function place(placement: Placement, value: string, c: Pick<Case, "param" | "whole">): Spec {
  const whole = c.whole === true;
  const param = c.param ?? (placement === "multipart-filename" ? "file" : placement === "json-array" ? "items" : "q");
  if (placement.startsWith("header:")) {
    const name = placement.slice("header:".length);
    return { method: "GET", path: "/get", headers: setHeader(browserHeaders(), name, escapeHeaderValue(value)) };
  }
  switch (placement) {
    case "query":
      return { method: "GET", path: `/get?${whole ? escapeQueryWhole(value) : `${escapeQueryName(param)}=${escapeQueryValue(value)}`}`, headers: browserHeaders() };
    case "path": {
      const path = escapePath(value);
      return { method: "GET", path: whole ? (path.startsWith("/") ? path : `/${path}`) : `/anything/${path}`, headers: browserHeaders() };
    }
    case "cookie":
      return { method: "GET", path: "/get", headers: [...browserHeaders(), ["Cookie", whole ? escapeHeaderValue(value) : `${param}=${escapeCookieValue(value)}`]] };
    case "form":
      return post("application/x-www-form-urlencoded", whole ? escapeQueryWhole(value) : `${escapeQueryName(param)}=${escapeQueryValue(value)}`);
    case "json":
      return post("application/json", whole ? value : JSON.stringify({ [param]: value }), ACCEPT_JSON);
    case "json-nested":
      return postJson({ order: { customer: { address: { [param]: value } } } });
    case "json-array":
      return postJson({ [param]: ["SKU-1001", value, "SKU-1003"] });
    case "json-key":
      return postJson({ [value]: "1" });
    case "graphql-query":
      return postJson({ query: whole ? value : `query { search(${param}: "${escapeGraphqlString(value)}") { id title } }` });
    case "graphql-variables":
      return postJson({
        operationName: "Search",
        query: `query Search($${param}: String!) { search(${param}: $${param}) { id title } }`,
        variables: { [param]: value },
      });
    case "websocket": {
      const query = whole ? escapeQueryWhole(value) : `${escapeQueryName(param)}=${escapeQueryValue(value)}`;
      return {
        method: "GET",
        path: `/websocket/echo?${query}`,
        headers: [
          ...browserHeaders("*/*"),
          ["Cache-Control", "no-cache"],
          ["Connection", "Upgrade"],
          ["Upgrade", "websocket"],
          ["Sec-WebSocket-Version", "13"],
          ["Sec-WebSocket-Key", WEBSOCKET_KEY],
          ["Sec-WebSocket-Protocol", escapeHeaderValue(value)],
        ],
      };
    }
    case "xml":
      return post("application/xml", whole ? value : `<?xml version="1.0" encoding="UTF-8"?>\n<request><${param}>${escapeXmlText(value)}</${param}></request>\n`);
    case "multipart-field":
      return multipart(`Content-Disposition: form-data; name="${escapeMultipartQuoted(param)}"`, value);
    case "multipart-filename":
      return multipart(
        `Content-Disposition: form-data; name="${escapeMultipartQuoted(param)}"; filename="${escapeMultipartQuoted(value)}"\r\nContent-Type: application/octet-stream`,
        "wafcheck upload sample\n",
      );
    case "raw":
      throw new Error("placement raw needs a request, not a payload");
    default:
      throw new Error(`unknown placement ${String(placement)}`);
  }
}

/** A fixed Sec-WebSocket-Key (base64 of 16 bytes, as RFC 6455 asks; deterministic output). */
export const WEBSOCKET_KEY = Buffer.from("wafcheck-ws-key!").toString("base64");

/** The HTTP/1.1 text of a request (Host left to the target as `{{host}}`), for the raw transport. */
function rawText(spec: Spec): string {
  const lines = http1HeadLines(spec.method, spec.path, spec.headers, "{{host}}");
  return `${lines.join("\r\n")}\r\n\r\n${spec.body === undefined ? "" : String(spec.body)}`;
}

function postJson(body: unknown): Spec {
  return post("application/json", JSON.stringify(body), ACCEPT_JSON);
}

function post(contentType: string, body: string, accept?: string): Spec {
  return { method: "POST", path: "/post", headers: [...browserHeaders(accept), ["Content-Type", contentType]], body };
}

function multipart(partHeaders: string, content: string): Spec {
  const body = `--${MULTIPART_BOUNDARY}\r\n${partHeaders}\r\n\r\n${content}\r\n--${MULTIPART_BOUNDARY}--\r\n`;
  return post(`multipart/form-data; boundary=${MULTIPART_BOUNDARY}`, body);
}

function fromRequest(c: Case & { source?: string }, request: CaseRequest): ExpandedRequest {
  const id = `${c.id}/raw/none`;
  if ("raw" in request) {
    const raw = normalizeRaw(request.raw);
    return { id, ...parseRaw(raw), ...meta(c, "raw", "none"), transport: "raw", raw };
  }
  let headers: Array<[string, string]> = request.browserHeaders === false ? [] : browserHeaders();
  const replaced = new Set<string>();
  for (const [name, value] of request.headers ?? []) {
    const lower = name.toLowerCase();
    const isDefault = headers.some(([n]) => n.toLowerCase() === lower);
    if (isDefault && !replaced.has(lower)) headers = setHeader(headers, name, value);
    else headers = [...headers, [name, value]];
    replaced.add(lower);
  }
  return {
    id, method: request.method ?? "GET", path: request.path, headers,
    ...(request.body !== undefined && { body: request.body }), ...meta(c, "raw", "none"), transport: "http",
    ...((request.streamed || request.trailers) && { streamed: { trailers: request.trailers ?? [] } }),
  };
}
