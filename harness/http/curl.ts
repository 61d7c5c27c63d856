import { needsReplayFile, nodeStreamedHttp1, replayFilePath, undiciHttp1, undiciHttp1Head, wirePath } from "./replay-files.ts";
import type { RequestSpec } from "./request.ts";

/**
 * Shell commands (bash) that send a request again, byte for byte as the harness sent it: curl for what undici sent,
 * `printf | nc` (or openssl) for raw and streamed HTTP/1.1 requests, nghttp for streamed HTTP/2 ones. How they are
 * run (from the reports folder, GATEWAY_URL pointing at a stack brought back): see replay-files.ts.
 */

/** Where a replay goes. A plain string is a URL used as it is (no variable, no replay files' id). */
export interface ReplayTarget {
  /** The run's URL for the request: the command's default. */
  baseUrl: string;
  /**
   * The shell variable that overrides it when the command runs, e.g. GATEWAY_URL or UPSTREAM_URL (what
   * `npm run stack` prints): `"${GATEWAY_URL:-http://127.0.0.1:32768}"'/get?q=1'`. Absent: the URL as it is.
   */
  variable?: string;
  /** The request id, which names the replay file of a body too large for the command line. */
  id?: string;
}

type Spec = Pick<RequestSpec, "method" | "path" | "headers" | "body"> & { id?: string };

/**
 * A curl command that sends what undici sent (send.ts): the WHATWG-normalised path (`-g` so that `[`, `]`, `{`, `}`
 * are never globs, `--path-as-is`), `host` and `connection` first, the headers in order, undici's `content-length`
 * last; curl's own User-Agent, Accept, Content-Type and Expect suppressed unless the request had them. Without a
 * Host header curl writes `Host: <URL's host>` (undici: `host:`), so that the Host follows GATEWAY_URL. A body over
 * REPLAY_INLINE_MAX_BYTES (or with a NUL) is read from its replay file. What curl cannot send as undici did (a
 * header with an empty value, a HEAD with a body) goes as raw bytes through nc. Values must already be redacted.
 */
export function curlReproducer(target: string | ReplayTarget, spec: Spec, options: readonly string[] = []): string {
  const t = replayTarget(target, spec.id);
  const host = new URL(t.baseUrl).host;
  const path = wirePath(`${t.baseUrl}${spec.path}`);
  const body = spec.body === undefined ? undefined : bodyBytes(spec.body);
  const http2 = options.includes("--http2");
  const head = undiciHttp1Head(spec.method, path, spec.headers, body?.byteLength ?? 0, host);
  if (!http2 && !curlCanSend(spec, path, body)) return rawReproducer(t, undiciHttp1(spec.method, path, spec.headers, body, host).toString("latin1"));

  const has = (name: string) => spec.headers.some(([n]) => n.toLowerCase() === name);
  const data = body !== undefined && body.byteLength > 0 ? body : undefined;
  const parts = ["curl", "-sS", "-i", "--path-as-is", "-g", ...options.map(shellQuote)];
  if (spec.method === "HEAD") parts.push("-I");
  else if (spec.method !== "GET" || data) parts.push("-X", shellQuote(spec.method));
  // Headers curl would add of its own: an empty `-H 'Name:'` removes one (and sends nothing).
  const own = [has("host") && "Host", !has("user-agent") && "User-Agent", !has("accept") && "Accept", data && !has("content-type") && "Content-Type", data && data.byteLength > 1024 && "Expect"];
  for (const name of own) if (name) parts.push("-H", `'${name}:'`);
  for (const line of head.slice(1)) {
    if (!has("host") && line.startsWith("host: ")) continue;
    if (http2 && line.startsWith("connection: ")) continue; // HTTP/2 has no Connection header (curl drops it too)
    parts.push("-H", byteQuote(line));
  }
  if (data) parts.push("--data-binary", needsReplayFile(data) ? `@${replayFilePath(t.id ?? "request", "body", data)}` : byteQuote(data.toString("latin1")));
  parts.push(urlWord(t, wireSuffix(t.baseUrl, path, spec.path)));
  return parts.join(" ");
}

/** Whether curl can send the request as undici did (else it goes as raw bytes). */
function curlCanSend(spec: Spec, path: string, body: Buffer | undefined): boolean {
  if (spec.method === "HEAD" && body !== undefined && body.byteLength > 0) return false; // -I sends no body
  if (spec.method === "CONNECT" || !/^\/[\x21-\x7e]*$/.test(path)) return false;
  // curl drops a header whose value is blank (`-H 'X:'` removes X); `-H 'X;'` would send `X:` without undici's space.
  return spec.headers.every(([, v]) => /[^ \t]/.test(v));
}

/** The path relative to the target's URL (a gateway URL may carry a path prefix). */
function wireSuffix(baseUrl: string, wire: string, given: string): string {
  const prefix = new URL(baseUrl).pathname.replace(/\/$/, "");
  return wire.startsWith(prefix) ? wire.slice(prefix.length) : given;
}

/** POSIX single-quoting of text: safe for any character except NUL. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./:=@%+,]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A byte string (one character per byte, as the senders write it: latin1) as one shell word: single-quoted when it
 * is printable ASCII, else bash's `$'…'` with `\r`, `\n`, `\t` and `\xHH` escapes, so the command itself is ASCII
 * and survives any report encoding. NUL cannot be carried (such bytes go through a replay file).
 */
export function byteQuote(bytes: string): string {
  if (/^[\x20-\x7e]*$/.test(bytes)) return shellQuote(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i) & 0xff;
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x27) out += "\\'";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return `$'${out}'`;
}

/**
 * A body without Content-Length plus trailers, which curl cannot send: over HTTP/2 nghttp (nghttp2-client) sends
 * them; over HTTP/1.1 the bytes Node's client wrote (send-streamed.ts: chunked, trailers) go through rawReproducer.
 */
export function streamedReproducer(target: string | ReplayTarget, spec: Spec & Required<Pick<RequestSpec, "streamed">>, http2: boolean): string {
  const t = replayTarget(target, spec.id);
  const body = spec.body === undefined ? Buffer.alloc(0) : bodyBytes(spec.body);
  if (!http2) return rawReproducer(t, nodeStreamedHttp1(spec.method, wirePath(`${t.baseUrl}${spec.path}`), spec.headers, body, spec.streamed.trailers).toString("latin1"));
  const parts = ["nghttp", "-v", "--no-content-length", "-H", shellQuote(`:method: ${spec.method}`)];
  for (const [name, value] of spec.headers) parts.push("-H", byteQuote(`${name.toLowerCase() === "host" ? ":authority" : name}: ${value}`));
  for (const [name, value] of spec.streamed.trailers) parts.push(`--trailer=${byteQuote(`${name}: ${value}`)}`);
  const url = urlWord(t, spec.path); // the HTTP/2 sender writes :path as given
  if (needsReplayFile(body)) return `${parts.join(" ")} -d ${replayFilePath(t.id ?? "request", "body", body)} ${url}`;
  return `printf '%s' ${byteQuote(body.toString("latin1"))} | ${parts.join(" ")} -d - ${url}`;
}

/**
 * For requests curl cannot send (duplicate Host, CL+TE, folded lines) and streamed HTTP/1.1 ones: the bytes (a
 * latin1 byte string), piped to nc or openssl; over REPLAY_INLINE_MAX_BYTES (or with a NUL) read from a replay file.
 * With a variable, host and port come from it when the command runs (POSIX parameter expansion, IPv6 in brackets).
 */
export function rawReproducer(target: string | ReplayTarget, raw: string): string {
  const t = replayTarget(target);
  const bytes = Buffer.from(raw, "latin1");
  const sink = socketSink(t);
  if (needsReplayFile(bytes)) return `${sink} < ${replayFilePath(t.id ?? "request", "raw", bytes)}`;
  return `printf '%s' ${byteQuote(raw)} | ${sink}`;
}

function socketSink(t: ReplayTarget): string {
  const url = new URL(t.baseUrl);
  const tls = url.protocol === "https:";
  const defaultPort = tls ? "443" : "80";
  // nc -w 5: give up 5 s after the last byte (the proxy keeps the connection open after its answer).
  if (!t.variable) return tls ? `openssl s_client -quiet -connect ${url.hostname}:${url.port || defaultPort}` : `nc -w 5 ${url.hostname} ${url.port || defaultPort}`;
  // u: the URL; a: its authority; p: the port after the last colon, unless that is no port (a bare host, IPv6).
  const parse = `u=${variableWord(t.variable, t.baseUrl)}; a=\${u#*://}; a=\${a%%/*}; p=\${a##*:}; h=\${a%:"$p"}; case $p in ''|*[!0-9]*) p=${defaultPort} h=$a;; esac`;
  return tls ? `{ ${parse}; openssl s_client -quiet -connect "$h:$p"; }` : `{ ${parse}; h=\${h#"["}; nc -w 5 "\${h%"]"}" "$p"; }`;
}

/** The URL as one shell word: `"${VAR:-<run's URL>}"` then the path single-quoted (no `!` or `$` inside double quotes). */
function urlWord(t: ReplayTarget, suffix: string): string {
  if (!t.variable) return shellQuote(`${t.baseUrl}${suffix}`);
  return `${variableWord(t.variable, t.baseUrl)}${suffix === "" ? "" : shellQuote(suffix)}`;
}

function variableWord(variable: string, url: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new Error(`not a shell variable name: ${variable}`);
  return `"\${${variable}:-${url.replace(/[\\$`"}]/g, "\\$&")}}"`;
}

function replayTarget(target: string | ReplayTarget, id?: string): ReplayTarget {
  const t = typeof target === "string" ? { baseUrl: target } : target;
  return t.id === undefined && id !== undefined ? { ...t, id } : t;
}

/** The bytes a client sends for a body: text as UTF-8 (undici, Node), bytes as they are. */
function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
}
