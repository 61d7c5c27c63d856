// The operations of a dereferenced OpenAPI 3.x document, in the terms the generator needs: method, path template,
// every parameter (path-level and operation-level merged, as the spec defines), the request body's media types.
// Pure: the document is already parsed and dereferenced (load-spec.ts).

export type ParamIn = "path" | "query" | "header" | "cookie";
export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: ParamIn;
  required: boolean;
  schema: JsonSchema;
  /** OpenAPI style (defaults by location: simple for path/header, form for query/cookie). */
  style: string;
  explode: boolean;
  allowReserved: boolean;
  /** The spec's own example for this parameter (parameter.example, its first examples entry, or the media type's). */
  example?: unknown;
}

export interface MediaType {
  mediaType: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface Operation {
  /** operationId, or `METHOD path` when the spec gives none. */
  id: string;
  method: string;
  /** The path template as the spec writes it (`/repos/{owner}/{repo}`). */
  path: string;
  tags: string[];
  deprecated: boolean;
  parameters: Parameter[];
  requestBody?: { required: boolean; content: MediaType[] };
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
// OpenAPI: header parameters with these names are ignored (the media types and security schemes define them).
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Every operation of the document, in path order then method order. */
export function listOperations(doc: Record<string, unknown>): Operation[] {
  const out: Operation[] = [];
  for (const [path, rawItem] of Object.entries(obj(doc.paths))) {
    const item = obj(rawItem);
    for (const method of METHODS) {
      const op = item[method];
      if (!op || typeof op !== "object") continue;
      const o = obj(op);
      const parameters = mergeParameters(item.parameters, o.parameters);
      const body = requestBodyOf(o.requestBody);
      out.push({
        id: typeof o.operationId === "string" && o.operationId !== "" ? o.operationId : `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === "string") : [],
        deprecated: o.deprecated === true,
        parameters,
        ...(body && { requestBody: body }),
      });
    }
  }
  return out;
}

/** Operation-level parameters override path-level ones of the same name and location. */
function mergeParameters(pathLevel: unknown, opLevel: unknown): Parameter[] {
  const byKey = new Map<string, Parameter>();
  for (const list of [pathLevel, opLevel]) {
    for (const raw of Array.isArray(list) ? list : []) {
      const p = parameterOf(obj(raw));
      if (p) byKey.set(`${p.in}:${p.name}`, p);
    }
  }
  return [...byKey.values()];
}

function parameterOf(p: Record<string, unknown>): Parameter | undefined {
  const where = p.in;
  if (typeof p.name !== "string" || (where !== "path" && where !== "query" && where !== "header" && where !== "cookie")) return undefined;
  if (where === "header" && IGNORED_HEADERS.has(p.name.toLowerCase())) return undefined;
  // A parameter may carry `content` (one media type) instead of `schema`: its schema is the media type's.
  const content = Object.values(obj(p.content))[0];
  const schema = obj(p.schema ?? obj(content).schema);
  const style = typeof p.style === "string" ? p.style : where === "path" || where === "header" ? "simple" : "form";
  const example = firstExample(p) ?? firstExample(obj(content));
  return {
    name: p.name,
    in: where,
    required: where === "path" ? true : p.required === true,
    schema,
    style,
    explode: typeof p.explode === "boolean" ? p.explode : style === "form",
    allowReserved: p.allowReserved === true,
    ...(example !== undefined && { example: example.value }),
  };
}

function requestBodyOf(raw: unknown): Operation["requestBody"] | undefined {
  const rb = obj(raw);
  const content = Object.entries(obj(rb.content)).map(([mediaType, mt]): MediaType => {
    const m = obj(mt);
    const example = firstExample(m);
    return { mediaType, schema: obj(m.schema), ...(example !== undefined && { example: example.value }) };
  });
  return content.length > 0 ? { required: rb.required === true, content } : undefined;
}

/** `example`, else the first entry of `examples` that has a value (an externalValue is not fetched). */
function firstExample(o: Record<string, unknown>): { value: unknown } | undefined {
  if (o.example !== undefined) return { value: o.example };
  for (const e of Object.values(obj(o.examples))) if (obj(e).value !== undefined) return { value: obj(e).value };
  return undefined;
}

/** Which operations a run takes: any of the tags (when given) and a path matching the pattern (when given). */
export function filterOperations(ops: readonly Operation[], filter: { tags?: readonly string[]; path?: RegExp }): Operation[] {
  const tags = filter.tags?.map((t) => t.toLowerCase());
  return ops.filter((o) => (!tags?.length || o.tags.some((t) => tags.includes(t.toLowerCase()))) && (!filter.path || filter.path.test(o.path)));
}
