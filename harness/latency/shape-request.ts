/**
 * Request shapes of the latency benchmark, and how a shape becomes bytes on the wire.
 * Import-free and Node-free on purpose: the k6 scripts import this file too, so both
 * load generators send exactly the same requests.
 */

export type ShapeBody =
  | { type: "json"; bytes: number }
  | { type: "form"; fields: Record<string, string> };

export interface ShapeDef {
  name: string;
  /** Scenarios pick shapes by group (their `shapeGroup` tag): blocked requests are measured apart. */
  group: string;
  method: "GET" | "POST";
  /** Path plus query string, as sent. */
  path: string;
  /** Lower-case names; merged over the common headers. */
  headers?: Record<string, string>;
  body?: ShapeBody;
  expectStatus: number;
  /** Samples to collect per scenario (warm-up excluded) ... */
  samples: number;
  /** ... unless this much time (k6 duration syntax, e.g. "20s") runs out first. */
  timeBudget: string;
}

export interface BuiltRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const CONTENT_TYPES: Record<ShapeBody["type"], string> = {
  json: "application/json",
  form: "application/x-www-form-urlencoded",
};

/** The request a shape sends to `host`; body and Content-Type follow from `shape.body`. */
export function buildRequest(shape: ShapeDef, commonHeaders: Record<string, string>, host: string): BuiltRequest {
  const headers: Record<string, string> = { host, ...lowerKeys(commonHeaders), ...lowerKeys(shape.headers ?? {}) };
  const built: BuiltRequest = { method: shape.method, path: shape.path, headers };
  if (shape.body) {
    built.body = shape.body.type === "json" ? jsonBody(shape.body.bytes) : formBody(shape.body.fields);
    headers["content-type"] = CONTENT_TYPES[shape.body.type];
  }
  return built;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) out[key.toLowerCase()] = headers[key] as string;
  return out;
}

const JSON_HEAD = '{"order":"ORD-2024-1042","customer":"c-1042","currency":"EUR","items":[';
const JSON_NOTE = '],"note":"';
const JSON_TAIL = '"}';
// Plain words: a realistic order note that no CRS rule has reason to flag.
const NOTE_TEXT = "please deliver to the side door after five pm thank you ";

function jsonItem(i: number): string {
  const sku = String(i).padStart(5, "0");
  return `{"sku":"SKU-${sku}","name":"Item ${i}","qty":${(i % 4) + 1},"price":${(i % 50) + 0.99}}`;
}

/** A plausible order document of exactly `bytes` bytes (ASCII), the same every time. */
export function jsonBody(bytes: number): string {
  const fixed = JSON_HEAD.length + JSON_NOTE.length + JSON_TAIL.length;
  if (!Number.isInteger(bytes) || bytes < fixed) throw new Error(`a JSON body needs at least ${fixed} bytes (got ${bytes})`);
  const items: string[] = [];
  let used = fixed;
  for (let i = 1; ; i++) {
    const item = jsonItem(i);
    const extra = item.length + (items.length > 0 ? 1 : 0);
    // Keep a few dozen bytes for the note so the document still ends like a real one.
    if (used + extra > bytes - 32) break;
    items.push(item);
    used += extra;
  }
  let note = "";
  while (note.length < bytes - used) note += NOTE_TEXT;
  return JSON_HEAD + items.join(",") + JSON_NOTE + note.slice(0, bytes - used) + JSON_TAIL;
}

/** application/x-www-form-urlencoded, in the field order given. */
export function formBody(fields: Record<string, string>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return Object.keys(fields)
    .map((key) => `${enc(key)}=${enc(fields[key] as string)}`)
    .join("&");
}
