import { z } from "zod";
import { isExcluded } from "./exclude.ts";
import { normalizeRaw } from "./raw.ts";
import { REQUIREMENTS } from "../manifest/index.ts";

/** Attack classes (plus `benign` for the false-positive corpus). */
export const CASE_CLASSES = [
  "sqli", "xss", "rce", "lfi", "rfi", "ssrf", "php-injection", "java-injection", "nodejs-injection", "xxe", "ssti",
  "nosqli", "ldapi", "scanner", "misconfig-probe", "protocol", "session-fixation", "file-upload", "benign",
] as const;
export type CaseClass = (typeof CASE_CLASSES)[number];

/** Obfuscations applied to a payload before it is placed (see encode.ts). */
export const ENCODINGS = [
  "none", "url", "double-url", "unicode-u", "html-entities", "case-mix", "comment-obfuscation", "whitespace-obfuscation", "base64",
] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * Where a payload goes; `header:<name>` is the other form (see expand.ts). API shapes: `json-nested` (a value deep in
 * an object), `json-array` (an array element), `json-key` (a key name), `graphql-query` (a string argument of a
 * GraphQL query), `graphql-variables` (a GraphQL variable), `websocket` (a WebSocket upgrade: query argument and
 * Sec-WebSocket-Protocol, sent over a raw socket).
 */
export const FIXED_PLACEMENTS = [
  "query", "path", "cookie", "form", "json", "json-nested", "json-array", "json-key", "graphql-query", "graphql-variables",
  "xml", "multipart-field", "multipart-filename", "websocket", "raw",
] as const;
export type Placement = (typeof FIXED_PLACEMENTS)[number] | `header:${string}`;

export const SEVERITIES = ["blocker", "critical", "normal", "minor", "trivial"] as const;
export const EXPECTS = ["block", "allow"] as const;

/** A GraphQL Name (argument and variable names). */
export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

const HEADER_PLACEMENT = /^header:[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name (token characters only)");

export const placementSchema = z.union([
  z.enum(FIXED_PLACEMENTS),
  z.string().regex(HEADER_PLACEMENT, "must be header:<name>"),
]) as z.ZodType<Placement>;

/** A structured request for cases a payload-and-placement can't express (browser headers are added first). */
const structuredRequestSchema = z.strictObject({
  method: z.string().regex(/^[A-Z]+$/, "must be an upper-case HTTP method").optional().describe("Default GET"),
  path: z.string().regex(/^\/[^\s]*$/, "must start with / and contain no whitespace").describe("Path plus query, as it appears on the wire"),
  headers: z.array(z.tuple([headerName, z.string()])).optional().describe("Ordered [name, value] pairs; a name the browser defaults also use replaces that default"),
  body: z.string().optional(),
  browserHeaders: z.boolean().optional().describe("Add the browser-like default headers (default true)"),
  streamed: z.boolean().optional().describe("Send the body without Content-Length: chunked over HTTP/1.1, bare DATA frames over HTTP/2"),
  trailers: z.array(z.tuple([headerName, z.string()])).min(1).optional().describe("Trailer fields sent after the body (implies streamed)"),
});

/** A request an HTTP client refuses to send (duplicate Host, CL+TE, obs-fold): written as text, sent over a raw socket. */
const rawRequestSchema = z.strictObject({
  raw: z
    .string()
    .regex(/^[A-Z]+ \S+ HTTP\/\d(\.\d)?\r?\n/, "must start with a request line like GET / HTTP/1.1")
    .refine((raw) => normalizeRaw(raw).includes("\r\n\r\n"), "must end its header section with an empty line")
    .describe("Request text; lines end with \\n or \\r\\n (bare \\n becomes \\r\\n unless the text already has \\r\\n); {{host}} is replaced by the target's host"),
});

export const requestSchema = z.union([rawRequestSchema, structuredRequestSchema]);
export type CaseRequest = z.infer<typeof requestSchema>;

const unique = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1).refine((list) => new Set(list as unknown[]).size === list.length, "must not repeat a value");

/** Fields of a case that a file's `defaults` may supply. */
const defaultableFields = {
  class: z.enum(CASE_CLASSES),
  owasp2025: z.string().regex(/^A(0[1-9]|10):2025$/, "must look like A05:2025"),
  owasp2021: z.string().regex(/^A(0[1-9]|10):2021$/, "must look like A03:2021"),
  cwe: z.string().regex(/^CWE-\d+$/, "must look like CWE-89"),
  severity: z.enum(SEVERITIES),
  expect: z.enum(EXPECTS),
  placements: unique(placementSchema),
  encodings: unique(z.enum(ENCODINGS)),
  exclude: z
    .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be <placement>/<encoding>, either side may be *"))
    .describe("placement/encoding pairs left out of the product, e.g. json/url or */base64"),
  paranoia: z.number().int().min(1).max(4),
  crsRules: z.array(z.number().int().min(100).max(999999)),
  param: z.string().min(1).describe("Parameter / field / cookie / XML element / JSON key / GraphQL argument name (default q; file, for multipart-filename; items, for json-array)"),
  whole: z.boolean().describe("The payload is the whole query string, path, cookie header or body instead of one value (graphql-query: the whole GraphQL document; websocket: the whole query string)"),
};

const ownFields = {
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be kebab-case (a-z, 0-9, single dashes)"),
  title: z.string().min(1),
  payload: z.string().min(1).optional(),
  request: requestSchema.optional(),
  notes: z.string().optional(),
  appStatus: z
    .number().int().min(200).max(599)
    .describe("The status the app itself answers for this request (e.g. 500 from /status/500): that status from the upstream means the WAF let it through, not an infrastructure error")
    .optional(),
  requires: unique(z.enum(REQUIREMENTS))
    .describe("WAF settings the case needs to be judged; without them it runs as informational. early-blocking: tx.early_blocking=1, so a phase-3 (response headers) block can still change the status")
    .optional(),
};

/** A case after file defaults were applied: what the rest of the harness sees. */
export const caseSchema = z
  .strictObject({
    ...ownFields,
    ...defaultableFields,
    placements: defaultableFields.placements.optional(),
    encodings: defaultableFields.encodings.optional(),
    exclude: defaultableFields.exclude.optional(),
    paranoia: defaultableFields.paranoia.optional(),
    crsRules: defaultableFields.crsRules.optional(),
    param: defaultableFields.param.optional(),
    whole: defaultableFields.whole.optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if ((c.payload === undefined) === (c.request === undefined)) issue("payload", "a case needs exactly one of payload or request");
    if (c.payload !== undefined && c.placements === undefined) issue("placements", "required with payload");
    if (c.payload !== undefined && c.placements?.includes("raw")) issue("placements", "raw is only for cases with request");
    if (c.request !== undefined && c.placements !== undefined && (c.placements.length !== 1 || c.placements[0] !== "raw"))
      issue("placements", "a request case has the single placement raw (or none)");
    if (c.request !== undefined && c.encodings !== undefined && c.encodings.some((e) => e !== "none"))
      issue("encodings", "encodings apply to payload, not to request");
    for (const [i, pair] of (c.exclude ?? []).entries()) {
      const [placement = "", encoding = ""] = pair.split("/");
      if (placement !== "*" && !placementSchema.safeParse(placement).success)
        ctx.addIssue({ code: "custom", path: ["exclude", i], message: `unknown placement "${placement}"` });
      if (encoding !== "*" && !(ENCODINGS as readonly string[]).includes(encoding))
        ctx.addIssue({ code: "custom", path: ["exclude", i], message: `unknown encoding "${encoding}"` });
    }
    if (c.payload !== undefined && c.placements !== undefined && c.exclude !== undefined) {
      const pairs = c.placements.flatMap((p) => (c.encodings ?? ["none"]).map((e) => [p, e] as const));
      const left = pairs.filter(([p, e]) => !isExcluded(c.exclude, p, e));
      if (left.length === 0) issue("exclude", "leaves no placement/encoding pair to send");
    }
    if (c.class === "benign" && c.expect !== "allow") issue("expect", "benign cases expect allow");
    if (c.param !== undefined && c.placements?.some((p) => p.startsWith("graphql-")) && !GRAPHQL_NAME.test(c.param))
      issue("param", "must be a GraphQL name ([_A-Za-z][_0-9A-Za-z]*) with a graphql-* placement");
  });
export type Case = z.infer<typeof caseSchema>;

/** What a file may put under `defaults`. */
export const defaultsSchema = z.strictObject(defaultableFields).partial();
export type CaseDefaults = z.infer<typeof defaultsSchema>;

/** A corpus file as written: cases may leave out what `defaults` supplies. */
export const corpusFileSchema = z.strictObject({
  defaults: defaultsSchema.optional().describe("Values every case in this file gets unless it sets its own"),
  cases: z.array(z.strictObject({ ...ownFields, ...defaultableFields }).partial({
    class: true, owasp2025: true, owasp2021: true, cwe: true, severity: true, expect: true,
    placements: true, encodings: true, exclude: true, paranoia: true, crsRules: true, param: true, whole: true,
  })).min(1),
});
export type CorpusFile = z.infer<typeof corpusFileSchema>;
