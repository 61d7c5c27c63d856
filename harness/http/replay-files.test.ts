import assert from "node:assert/strict";
import { test } from "node:test";
import { reproducer } from "../engine/index.ts";
import { effectiveHeaders } from "./send.ts";
import type { RequestSpec } from "./request.ts";
import { REPLAY_INLINE_MAX_BYTES, nodeStreamedHttp1, replayFilePath, replayFileReferences, replayFiles, undiciHttp1, type ReplayRecord } from "./replay-files.ts";

const BASE = "http://127.0.0.1:32768";
const local = { hostHeader: "app.wafcheck.test", headers: {}, kind: "local" as const };

/** A record's replay fields as engine.ts fills them (body: latin1 for bytes, text for text), for a spec. */
function recordOf(target: typeof local | { hostHeader?: string; headers: Record<string, string> }, spec: RequestSpec, raw?: string, bodyText = true): ReplayRecord {
  const body = spec.body === undefined ? undefined : typeof spec.body === "string" && bodyText ? spec.body : Buffer.from(spec.body).toString("latin1");
  return {
    id: spec.id,
    target: { baseUrl: BASE },
    sent: {
      method: spec.method, url: `${BASE}${spec.path}`, headers: effectiveHeaders(target, spec, true),
      ...(body !== undefined && { body }), ...(raw !== undefined && { raw }), ...(spec.streamed && { streamed: spec.streamed }),
      reproducer: reproducer(target, BASE, spec, raw),
    },
  };
}

test("small requests need no file; the limit is in bytes, and a NUL byte always needs one", () => {
  const small = recordOf(local, { id: "a", method: "POST", path: "/post", headers: [], body: "x".repeat(REPLAY_INLINE_MAX_BYTES) });
  assert.deepEqual(replayFiles([small]), []);
  const nul = recordOf(local, { id: "b", method: "POST", path: "/post", headers: [], body: new Uint8Array([1, 0, 2]) });
  assert.deepEqual(replayFiles([nul]), [{ path: replayFilePath("b", "body", Buffer.from([1, 0, 2])), bytes: Buffer.from([1, 0, 2]) }]);
});

test("a large body's file is the bytes the command names, text as UTF-8 (as undici sent it), under replays/", () => {
  const text = "Siobhán — 東京 ".repeat(400);
  const record = recordOf(local, { id: "benign-body/json/none", method: "POST", path: "/post", headers: [["Content-Type", "text/plain"]], body: text });
  const files = replayFiles([record]);
  assert.equal(files.length, 1);
  assert.deepEqual(files[0]!.bytes, Buffer.from(text, "utf8"));
  assert.match(files[0]!.path, /^replays\/benign-body_json_none\.[0-9a-f]{12}\.body$/);
  assert.deepEqual(replayFileReferences(record.sent.reproducer), [files[0]!.path]);
  assert.ok(record.sent.reproducer.includes(`--data-binary @${files[0]!.path} "\${GATEWAY_URL:-${BASE}}"/post`), record.sent.reproducer);
  // A record that keeps its body as latin1 bytes (the record's contract) gives the same file.
  const asBytes = { ...record, sent: { ...record.sent, body: Buffer.from(text, "utf8").toString("latin1") } };
  assert.deepEqual(replayFiles([asBytes]), files);
});

test("large raw and streamed requests: the whole HTTP/1.1 request in a file, nc reading it", () => {
  const raw = `POST /post HTTP/1.1\r\nHost: app.wafcheck.test\r\nContent-Length: 6000\r\n\r\n${"y".repeat(6000)}`;
  const rawRecord = recordOf(local, { id: "protocol-009/raw/none", method: "POST", path: "/post", headers: [] }, raw);
  const spec: RequestSpec = { id: "streamed-009/raw/none", method: "POST", path: "/post", headers: [["Content-Type", "application/json"]], body: JSON.stringify({ a: "z".repeat(6000) }), streamed: { trailers: [["X-Checksum", "abc"]] } };
  const streamed = recordOf(local, spec);
  const [a, b] = replayFiles([rawRecord, streamed]);
  assert.deepEqual(a!.bytes, Buffer.from(raw, "latin1"));
  assert.deepEqual(b!.bytes, nodeStreamedHttp1("POST", "/post", effectiveHeaders(local, spec, true), Buffer.from(spec.body as string), spec.streamed!.trailers));
  assert.ok(b!.bytes.toString("latin1").startsWith("POST /post HTTP/1.1\r\nhost: app.wafcheck.test\r\nContent-Type: application/json\r\nTrailer: x-checksum\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"));
  assert.ok(b!.bytes.toString("latin1").endsWith("\r\n0\r\nx-checksum: abc\r\n\r\n"));
  for (const [record, file] of [[rawRecord, a!], [streamed, b!]] as const) assert.ok(record.sent.reproducer.endsWith(`; nc -w 5 "\${h%"]"}" "$p"; } < ${file.path}`), record.sent.reproducer);
});

test("a request curl cannot send as undici did goes as undici's bytes; large, from a file", () => {
  const spec: RequestSpec = { id: "odd", method: "POST", path: "/post", headers: [["X-Empty", " "]], body: "q".repeat(5000) };
  const [file] = replayFiles([recordOf(local, spec)]);
  assert.deepEqual(file!.bytes, undiciHttp1("POST", "/post", effectiveHeaders(local, spec, true), Buffer.from(spec.body as string), "127.0.0.1:32768"));
  assert.ok(file!.bytes.toString("latin1").startsWith("POST /post HTTP/1.1\r\nhost: app.wafcheck.test\r\nconnection: keep-alive\r\nX-Empty:  \r\ncontent-length: 5000\r\n\r\nqqq"));
});

test("configured secrets are redacted in the command and in the file alike", () => {
  const gateway = { hostHeader: "shop.example.test", headers: { "X-Gw-Auth": "top-secret-token" } };
  const spec: RequestSpec = { id: "leak/body", method: "POST", path: "/post", headers: [], body: `token=top-secret-token&${"p".repeat(5000)}` };
  const record = recordOf(gateway, { ...spec });
  // engine.ts scrubs the body it records; the command was built from the same scrubbed text.
  const scrubbed = { ...record, sent: { ...record.sent, body: record.sent.body!.replace("top-secret-token", "[REDACTED]") } };
  assert.doesNotMatch(record.sent.reproducer, /top-secret-token/);
  assert.match(record.sent.reproducer, /-H 'X-Gw-Auth: \[REDACTED\]'/);
  const [file] = replayFiles([scrubbed]);
  assert.ok(file, "the command names the scrubbed body's file");
  assert.ok(file.bytes.toString("latin1").startsWith("token=[REDACTED]&ppp"));
});

test("the same file named twice is written once; a payload that looks like a path is not a file", () => {
  const spec: RequestSpec = { id: "dup", method: "POST", path: "/post", headers: [], body: "d".repeat(5000) };
  assert.equal(replayFiles([recordOf(local, spec), recordOf(local, spec)]).length, 1);
  const lookalike = recordOf(local, { id: "l", method: "GET", path: "/replays/x.body?f=replays/y.0123456789ab.body", headers: [] });
  assert.deepEqual(replayFileReferences(lookalike.sent.reproducer), []);
});
