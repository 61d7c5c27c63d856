import { requestTarget } from "./request-target.ts";
import { createHash } from "node:crypto";

/**
 * What a replay sends, byte for byte, and the files it needs. Pure: no I/O.
 *
 * A record's reproducer (`sent.reproducer`) is a bash command, meant to be run from the reports folder whose
 * `replays/` holds its files (`reports/`), against the same stack brought back with `npm run stack`, which prints
 * GATEWAY_URL= and UPSTREAM_URL=:
 *
 *     cd reports
 *     export GATEWAY_URL=http://127.0.0.1:32770 UPSTREAM_URL=http://127.0.0.1:32771
 *     <the reproducer, pasted>
 *
 * Without the variables it targets the run's own URLs (a gateway's URL stays right). A body (or raw request) larger than
 * REPLAY_INLINE_MAX_BYTES, or holding a NUL byte, does not go on the command line (curl would fail with "argument
 * list too long", bash cannot carry a NUL in an argument): the command reads it from `replays/<id>.<hash>.<kind>`
 * beside the report, and whoever writes the report writes the files `replayFiles(records)` returns.
 */

/** Bodies and raw requests up to this many bytes stay in the command; larger ones are read from a replay file. */
export const REPLAY_INLINE_MAX_BYTES = 4096;

/** The folder, relative to the reports folder, that holds the replay files. */
export const REPLAYS_DIR = "replays";

/** `body`: a request body (curl --data-binary @…, nghttp -d …); `raw`: a whole HTTP/1.1 request (nc < …). */
export type ReplayFileKind = "body" | "raw";

export interface ReplayFile {
  /** Relative to the reports folder, `/`-separated: `replays/<safe-id>.<sha256 prefix>.<kind>`. */
  path: string;
  bytes: Buffer;
}

/** The record fields a replay file is rebuilt from (a WafRecord has them all). */
export interface ReplayRecord {
  id: string;
  target: { baseUrl: string };
  sent: {
    method: string;
    url: string;
    headers: ReadonlyArray<readonly [string, string]>;
    body?: string;
    raw?: string;
    streamed?: { trailers: ReadonlyArray<readonly [string, string]> };
    reproducer: string;
  };
}

/** Whether these bytes go to a replay file rather than on the command line. */
export function needsReplayFile(bytes: Uint8Array): boolean {
  return bytes.byteLength > REPLAY_INLINE_MAX_BYTES || bytes.includes(0);
}

/**
 * Where a replay file goes. The name carries the request id (made safe for any file system) and the first 12 hex
 * digits of the content's SHA-256: two records of one id (a retried test) never overwrite each other's file, and
 * the file a command names is exactly the bytes it was made for.
 */
export function replayFilePath(id: string, kind: ReplayFileKind, bytes: Uint8Array): string {
  const safe = id.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+/, "").slice(0, 100) || "request";
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  return `${REPLAYS_DIR}/${safe}.${hash}.${kind}`;
}

/** How a reproducer names a replay file (and nothing else does: a payload would need this exact shape). */
const FILE_REFERENCE = /(?<=[@ ])replays\/[A-Za-z0-9._-]+\.[0-9a-f]{12}\.(?:body|raw)(?=$|[ ;])/g;

/** The replay files a command reads (paths relative to the reports folder). */
export function replayFileReferences(command: string): string[] {
  return [...new Set(command.match(FILE_REFERENCE) ?? [])];
}

/**
 * The files the records' reproducers read, to be written under the reports folder (`join(reportsDir, f.path)`,
 * creating `replays/`), rebuilt from each record's own fields: the body, the raw text, or the HTTP/1.1 bytes the
 * harness's client wrote. Records whose commands need no file give none; a file named twice is listed once. A
 * file a record cannot rebuild (its command and its fields disagree: a bug, which tests/replay-capture.test.ts
 * would catch) is left out rather than failing the report: its replay then says it cannot read the file.
 */
export function replayFiles(records: Iterable<ReplayRecord>): ReplayFile[] {
  const files = new Map<string, Buffer>();
  for (const record of records) {
    const wanted = replayFileReferences(record.sent.reproducer);
    if (wanted.length === 0) continue;
    const candidates = replayCandidates(record);
    for (const path of wanted) {
      const bytes = candidates.get(path);
      if (bytes) files.set(path, bytes);
    }
  }
  return [...files].map(([path, bytes]) => ({ path, bytes }));
}

/** Every file this record's command could name, by path. */
function replayCandidates(record: ReplayRecord): Map<string, Buffer> {
  const { sent } = record;
  const out = new Map<string, Buffer>();
  const add = (kind: ReplayFileKind, bytes: Buffer) => out.set(replayFilePath(record.id, kind, bytes), bytes);
  // A record's body holds its bytes as latin1; a record whose engine kept a text body as text (sent as UTF-8) is
  // read both ways: the hash in the file's name says which reading the command was made from.
  const bodies = sent.body === undefined ? [undefined] : [Buffer.from(sent.body, "latin1"), Buffer.from(sent.body, "utf8")];
  if (sent.raw !== undefined) add("raw", Buffer.from(sent.raw, "latin1"));
  for (const body of bodies) {
    if (body) add("body", body);
    if (sent.raw !== undefined) continue;
    const path = wirePath(sent.url);
    add("raw", sent.streamed ? nodeStreamedHttp1(sent.method, path, sent.headers, body ?? Buffer.alloc(0), sent.streamed.trailers) : undiciHttp1(sent.method, path, sent.headers, body, new URL(record.target.baseUrl).host));
  }
  return out;
}

/** The path on the request line the harness's HTTP clients send for a recorded URL: as written (request-target.ts). */
export function wirePath(url: string): string {
  return requestTarget(new URL(url).origin, url.slice(new URL(url).origin.length)).path;
}

/** Methods for which undici sends `content-length: 0` with no body (it omits the header for the others). */
const EXPECTS_PAYLOAD = new Set(["PUT", "POST", "PATCH", "QUERY", "PROPFIND", "PROPPATCH"]);

/**
 * The head lines undici 7 writes for an HTTP/1.1 request (send.ts): request line, `host` (the given Host's value,
 * else the URL's host) and `connection` first, then the other headers as given, `content-length` last (the body's,
 * whatever a given Content-Length said).
 */
export function undiciHttp1Head(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>, bodyLength: number, urlHost: string): string[] {
  const named = (n: string) => headers.filter(([h]) => h.toLowerCase() === n);
  const host = named("host")[0]?.[1] ?? urlHost;
  const closes = method === "HEAD" || method === "CONNECT" || named("connection").some(([, v]) => v.toLowerCase().split(",").some((t) => t.trim() === "close"));
  const rest = headers.filter(([n]) => !["host", "connection", "content-length"].includes(n.toLowerCase())).map(([n, v]) => `${n}: ${v}`);
  const length = bodyLength > 0 || EXPECTS_PAYLOAD.has(method) ? [`content-length: ${bodyLength}`] : [];
  return [`${method} ${path} HTTP/1.1`, `host: ${host}`, `connection: ${closes ? "close" : "keep-alive"}`, ...rest, ...length];
}

/** The bytes undici writes for the request: its head (undiciHttp1Head), then the body. */
export function undiciHttp1(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array | undefined, urlHost: string): Buffer {
  const head = undiciHttp1Head(method, path, headers, body?.byteLength ?? 0, urlHost);
  return Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body ?? Buffer.alloc(0)]);
}

/** Methods Node's http client sends without chunked framing unless told otherwise. */
const NOT_CHUNKED_BY_DEFAULT = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * The bytes Node 20's http client writes for a streamed request (send-streamed.ts over HTTP/1.1): the headers as
 * given (no Host added: it adds none to a header array), `Trailer` with the trailer names (lower-cased, as the
 * trailers object holds them), `Connection: keep-alive` (the global agent keeps connections alive) unless given,
 * `Transfer-Encoding: chunked`, the body as one chunk, the last chunk and the trailers.
 */
export function nodeStreamedHttp1(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array, trailers: ReadonlyArray<readonly [string, string]>): Buffer {
  const trailerMap = new Map<string, string>();
  for (const [n, v] of trailers) trailerMap.set(n.toLowerCase(), v);
  const lines = [`${method} ${path} HTTP/1.1`, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (trailerMap.size > 0) lines.push(`Trailer: ${[...trailerMap.keys()].join(", ")}`);
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has("connection")) lines.push("Connection: keep-alive");
  const te = headers.find(([n]) => n.toLowerCase() === "transfer-encoding")?.[1];
  const chunked = te !== undefined ? /(?:^|\W)chunked(?:$|\W)/i.test(te) : !has("content-length") && !NOT_CHUNKED_BY_DEFAULT.has(method);
  if (te === undefined && chunked) lines.push("Transfer-Encoding: chunked");
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  if (!chunked) return Buffer.concat([head, body]);
  const chunk = body.byteLength > 0 ? [Buffer.from(`${body.byteLength.toString(16)}\r\n`, "latin1"), body, Buffer.from("\r\n", "latin1")] : [];
  const tail = `0\r\n${[...trailerMap].map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
  return Buffer.concat([head, ...chunk, Buffer.from(tail, "latin1")]);
}
