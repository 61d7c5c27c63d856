// An OpenAPI document → requests: for each operation, benign requests the spec says are valid (every required part;
// then every part, optional ones included) and attack requests that put sampled corpus payloads into each of its
// real parameters (path, query, header, cookie, body fields at their depth), encoded as the parameter's style says.
// Operations for which no valid benign request can be made are listed with the reason. Pure.
import { browserHeaders, type CaseClass, type CaseMeta, type ExpandedRequest, type Placement } from "../payloads/index.ts";
import { benignValue } from "./benign-values.ts";
import type { MediaType, Operation, Parameter, ParamIn } from "./operation.ts";
import { payloadPool, sampleFor, type PayloadCase, type SampleOptions } from "./payload-sample.ts";
import type { SchemaChecker } from "./schema-check.ts";
import { cookiePiece, formBody, headerSafe, headerValue, MULTIPART_BOUNDARY, multipartBody, pathValue, queryPieces } from "./serialize.ts";

/** What a record keeps of the operation behind it (record.meta.openapi). */
export interface OpenApiMeta {
  spec: string;
  operation: string;
  method: string;
  path: string;
  tags: string[];
  kind: "benign" | "attack";
  /** Benign: only the required parts, or every part. */
  variant?: "required" | "all";
  /** Attacks: where the payload is (`query:per_page`, `path:owner`, `body:labels[0]`). */
  parameter?: string;
  location?: ParamIn | "body";
  style?: string;
  mediaType?: string;
}

export type OpenApiRequest = ExpandedRequest & { openapi: OpenApiMeta };

/** One operation as the run took it: what was made, and why not when no valid benign request could be. */
export interface OperationReport {
  spec: string;
  operation: string;
  method: string;
  path: string;
  tags: string[];
  benign: number;
  attacks: number;
  /** The parameters that got attacks. */
  attacked: string[];
  /** No valid benign request: why (one line). */
  noBenign?: string;
  /** Parameters or media types left without attacks, and why. */
  notAttacked?: Array<{ parameter: string; reason: string }>;
}

export interface GenerateOptions extends SampleOptions {
  /** The spec's name in ids and reports (file name). */
  spec: string;
  /** Prefixed to every path: the path of the spec's first server URL ("" for none). */
  basePath: string;
  /** Prefix for request ids (several specs in one run), e.g. `petstore:`. */
  idPrefix: string;
  /** Body fields attacked per operation at most (big bodies stay practical). */
  maxBodyFields?: number;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b|^\*\/\*$/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;
const MULTIPART_TYPE = /^multipart\/form-data\b/i;
const TEXT_TYPE = /^text\/|^application\/octet-stream\b/i;
const DEFAULT_MAX_BODY_FIELDS = 40;

type Values = Map<Parameter, unknown>;
interface Body { media: MediaType; value: unknown }

/** Requests and a report line for each operation. */
export function generateRequests(
  ops: readonly Operation[], cases: readonly PayloadCase[], checker: SchemaChecker, options: GenerateOptions,
): { requests: OpenApiRequest[]; operations: OperationReport[] } {
  const pool = payloadPool(cases, options.classes);
  const requests: OpenApiRequest[] = [];
  const operations: OperationReport[] = [];
  const ids = new Set<string>();
  const unique = (id: string) => {
    let out = id;
    for (let i = 2; ids.has(out); i++) out = `${id}~${i}`;
    ids.add(out);
    return out;
  };
  for (const op of ops) {
    const made = forOperation(op, pool, checker, options);
    for (const r of made.requests) requests.push({ ...r, id: unique(r.id) });
    operations.push(made.report);
  }
  return { requests, operations };
}

function forOperation(op: Operation, pool: ReturnType<typeof payloadPool>, checker: SchemaChecker, o: GenerateOptions): { requests: OpenApiRequest[]; report: OperationReport } {
  const base = { spec: o.spec, operation: op.id, method: op.method, path: op.path, tags: op.tags };
  const report: OperationReport = { ...base, benign: 0, attacks: 0, attacked: [] };
  const requests: OpenApiRequest[] = [];
  const notAttacked: Array<{ parameter: string; reason: string }> = [];
  const media = pickMedia(op);

  // Benign: required parts only, then every part; a required part without a valid value means no valid request.
  const variants: Array<{ variant: "required" | "all"; values: Values; body?: Body }> = [];
  let problem: string | undefined;
  for (const variant of ["required", "all"] as const) {
    const values: Values = new Map();
    for (const p of op.parameters) {
      if (variant === "required" && !p.required) continue;
      const chosen = benignValue(p.schema, p.example, checker, variant === "required");
      const unsendable = chosen.problem === undefined && p.in === "header" && headerValue(p, chosen.value) === undefined ? "cannot be sent in a header" : undefined;
      if (chosen.problem !== undefined || unsendable) {
        if (p.required) problem ??= `${p.in} parameter ${p.name}: ${chosen.problem ?? unsendable}`;
        continue;
      }
      values.set(p, chosen.value);
    }
    let body: Body | undefined;
    if (op.requestBody && (variant === "all" || op.requestBody.required)) {
      if (!media) {
        if (op.requestBody.required) problem ??= `request body: no media type wafcheck can write (${op.requestBody.content.map((c) => c.mediaType).join(", ")})`;
      } else {
        const chosen = benignValue(media.schema, media.example, checker, variant === "required");
        if (chosen.problem === undefined) body = { media, value: chosen.value };
        else if (op.requestBody.required) problem ??= `request body (${media.mediaType}): ${chosen.problem}`;
      }
    }
    variants.push({ variant, values, ...(body && { body }) });
  }
  if (problem === undefined) {
    const [required, all] = variants as [(typeof variants)[0], (typeof variants)[0]];
    const same = required.values.size === all.values.size && JSON.stringify(required.body?.value) === JSON.stringify(all.body?.value);
    for (const v of same ? [all] : [required, all]) {
      requests.push(benign(op, v.values, v.body, v.variant, o));
      report.benign++;
    }
  } else report.noBenign = problem;

  // Attacks go into a request with every part present (best-effort values where the spec allowed none).
  const values: Values = new Map(op.parameters.map((p) => [p, benignValue(p.schema, p.example, checker).value ?? "1"]));
  const body: Body | undefined = media ? { media, value: benignValue(media.schema, media.example, checker).value } : undefined;
  if (op.requestBody && !media) notAttacked.push({ parameter: "body", reason: `no media type wafcheck can write (${op.requestBody.content.map((c) => c.mediaType).join(", ")})` });
  for (const p of op.parameters) {
    const key = `${p.in}:${p.name}`;
    const picked = sampleFor(pool, `${o.spec}\0${op.id}\0${key}`, o, p.in === "header" ? headerSafe : undefined);
    if (picked.length === 0) notAttacked.push({ parameter: key, reason: "no corpus payload fits" });
    for (const c of picked) {
      const attacked = new Map(values);
      attacked.set(p, attackValue(values.get(p), c.payload!));
      requests.push(attack(op, attacked, body, c, { parameter: key, location: p.in, style: p.style, placement: placementOf(p) }, o));
    }
    if (picked.length > 0) report.attacked.push(key);
  }
  if (body) {
    const fields = bodyFields(body).slice(0, o.maxBodyFields ?? DEFAULT_MAX_BODY_FIELDS);
    for (const f of fields) {
      const key = `body:${f.name}`;
      for (const c of sampleFor(pool, `${o.spec}\0${op.id}\0${key}`, o)) {
        requests.push(attack(op, values, { media: body.media, value: f.set(c.payload!) }, c, { parameter: key, location: "body", mediaType: body.media.mediaType, placement: f.placement }, o));
      }
      report.attacked.push(key);
    }
  }
  report.attacks = requests.length - report.benign;
  if (notAttacked.length > 0) report.notAttacked = notAttacked;
  return { requests, report };
}

/** The request body's media type wafcheck writes: JSON first, then forms, then text. */
function pickMedia(op: Operation): MediaType | undefined {
  const content = op.requestBody?.content ?? [];
  for (const re of [JSON_TYPE, FORM_TYPE, MULTIPART_TYPE, TEXT_TYPE]) {
    const m = content.find((c) => re.test(c.mediaType));
    if (m) return m;
  }
  return undefined;
}

function benign(op: Operation, values: Values, body: Body | undefined, variant: "required" | "all", o: GenerateOptions): OpenApiRequest {
  const meta: CaseMeta = {
    caseId: `${o.idPrefix}${op.id}`, title: `${op.method} ${op.path} (valid: ${variant === "all" ? "every parameter" : "required parameters"})`, class: "benign",
    owasp2025: "A05:2025", owasp2021: "A03:2021", cwe: "CWE-693", severity: "critical", expect: "allow",
    placement: body ? placementOfBody(body.media.mediaType) : "query", encoding: "none", crsRules: [],
  };
  return {
    id: `${o.idPrefix}${op.id}/benign/${variant}`, ...wire(op, values, body, o), ...meta, transport: "http",
    openapi: { spec: o.spec, operation: op.id, method: op.method, path: op.path, tags: op.tags, kind: "benign", variant, ...(body && { mediaType: body.media.mediaType }) },
  };
}

function attack(
  op: Operation, values: Values, body: Body | undefined, c: PayloadCase,
  where: { parameter: string; location: ParamIn | "body"; style?: string; mediaType?: string; placement: Placement }, o: GenerateOptions,
): OpenApiRequest {
  const meta: CaseMeta = {
    caseId: c.id, title: `${op.method} ${op.path}: ${c.title} in ${where.parameter}`, class: c.class as CaseClass, owasp2025: c.owasp2025, owasp2021: c.owasp2021,
    cwe: c.cwe, severity: c.severity, expect: "block", ...(c.paranoia !== undefined && { paranoia: c.paranoia }), placement: where.placement, encoding: "none",
    crsRules: c.crsRules ?? [], ...(c.source !== undefined && { source: c.source }),
  };
  const { placement: _p, ...at } = where;
  return {
    id: `${o.idPrefix}${op.id}/${where.parameter}/${c.id}`, ...wire(op, values, body, o), ...meta, transport: "http",
    openapi: { spec: o.spec, operation: op.id, method: op.method, path: op.path, tags: op.tags, kind: "attack", ...at, ...(body && !at.mediaType && { mediaType: body.media.mediaType }) },
  };
}

/** Method, path with query, headers and body of the request the values make. */
function wire(op: Operation, values: Values, body: Body | undefined, o: GenerateOptions): Pick<ExpandedRequest, "method" | "path" | "headers" | "body"> {
  let path = op.path;
  const query: string[] = [];
  const headers: Array<[string, string]> = browserHeaders("application/json");
  const cookies: string[] = [];
  for (const [p, v] of values) {
    if (p.in === "path") path = path.replaceAll(`{${p.name}}`, pathValue(p, v));
    else if (p.in === "query") query.push(...queryPieces(p, v));
    else if (p.in === "header") {
      const h = headerValue(p, v);
      if (h !== undefined) headers.push([p.name, h]);
    } else cookies.push(cookiePiece(p, v));
  }
  if (cookies.length > 0) headers.push(["Cookie", cookies.join("; ")]);
  const encoded = body && bodyText(body);
  if (encoded) headers.push(["Content-Type", encoded.contentType]);
  return {
    method: op.method,
    path: `${o.basePath}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`,
    headers,
    ...(encoded && { body: encoded.text }),
  };
}

function bodyText(body: Body): { contentType: string; text: string } {
  const type = body.media.mediaType === "*/*" ? "application/json" : body.media.mediaType;
  if (JSON_TYPE.test(type)) return { contentType: type, text: JSON.stringify(body.value ?? null) };
  if (FORM_TYPE.test(type)) return { contentType: type, text: formBody(body.value) };
  if (MULTIPART_TYPE.test(type)) return { contentType: `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`, text: multipartBody(body.value, binaryFields(body.media.schema)) };
  return { contentType: type, text: typeof body.value === "string" ? body.value : body.value === undefined ? "" : JSON.stringify(body.value) };
}

function binaryFields(schema: Record<string, unknown>): Set<string> {
  const props = (schema.properties ?? {}) as Record<string, { format?: string }>;
  return new Set(Object.entries(props).filter(([, s]) => s?.format === "binary" || s?.format === "base64").map(([k]) => k));
}

/** A payload in place of a value: the first element of an array, the first member of an object, or the value itself. */
function attackValue(value: unknown, payload: string): unknown {
  if (Array.isArray(value)) return [payload, ...value.slice(1)];
  if (value && typeof value === "object" && Object.keys(value).length > 0) {
    const [first] = Object.keys(value);
    return { ...value, [first!]: payload };
  }
  return payload;
}

function placementOf(p: Parameter): Placement {
  return p.in === "header" ? `header:${p.name}` : p.in === "cookie" ? "cookie" : p.in;
}

function placementOfBody(mediaType: string): Placement {
  return FORM_TYPE.test(mediaType) ? "form" : MULTIPART_TYPE.test(mediaType) ? "multipart-field" : JSON_TYPE.test(mediaType) || mediaType === "*/*" ? "json" : "raw";
}

/** Every field of a body a payload can replace, at its real depth (arrays: their first element); the whole body when it is not an object. */
export function bodyFields(body: Body): Array<{ name: string; placement: Placement; set: (payload: string) => unknown }> {
  const isJson = JSON_TYPE.test(body.media.mediaType);
  const flat = !isJson; // forms: top-level fields only (nested values travel as text)
  const root = body.value;
  if (!root || typeof root !== "object") return [{ name: "(whole body)", placement: isJson ? "json" : "raw", set: (payload) => payload }];
  const out: Array<{ name: string; placement: Placement; set: (payload: string) => unknown }> = [];
  const walk = (node: unknown, trail: Array<string | number>, inArray: boolean) => {
    if (trail.length > 8) return;
    const isLeaf = !node || typeof node !== "object" || (Array.isArray(node) ? node.length === 0 : Object.keys(node).length === 0) || (flat && trail.length > 0);
    if (isLeaf) {
      if (trail.length === 0) return;
      const name = trail.map((t, i) => (typeof t === "number" ? `[${t}]` : i === 0 ? t : `.${t}`)).join("");
      const placement: Placement = !isJson ? placementOfBody(body.media.mediaType) : inArray ? "json-array" : trail.length > 1 ? "json-nested" : "json";
      out.push({ name, placement, set: (payload) => setAt(root, trail, payload) });
      return;
    }
    if (Array.isArray(node)) walk(node[0], [...trail, 0], true);
    else for (const [k, v] of Object.entries(node)) walk(v, [...trail, k], inArray);
  };
  walk(root, [], false);
  return out;
}

/** A copy of `root` with the value at `trail` replaced. */
function setAt(root: unknown, trail: ReadonlyArray<string | number>, value: unknown): unknown {
  if (trail.length === 0) return value;
  const [head, ...rest] = trail;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? setAt(v, rest, value) : v));
  return { ...(root as Record<string, unknown>), [head!]: setAt((root as Record<string, unknown>)[head as string], rest, value) };
}
