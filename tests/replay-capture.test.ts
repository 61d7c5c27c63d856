// Every replay sends its request byte for byte. A local TCP server records the raw bytes of each request it gets
// (and answers 200, Connection: close). Every request of the corpus (plus a few shapes it lacks: a 145 KB body, a
// request to the app directly, a body with a NUL…) goes through the project's own Engine to it; then each record's
// `sent.reproducer` runs with bash from a folder holding the replay files (replay-files.ts), GATEWAY_URL and
// UPSTREAM_URL pointing at the server, and the bytes of both are compared: request line, headers, body.
// No Docker, no Envoy: this is about the harness's own commands. HTTP/2 replays (curl --http2, nghttp) are not
// covered: the server speaks HTTP/1.1, as the runs these records come from (WAF_HTTP=1.1) do.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import pLimit from "p-limit";
import { Agent } from "undici";
import { Engine, type EngineRequest, type WafLog, type WafRecord } from "../harness/engine/index.ts";
import { fakeRequest } from "../harness/engine/test-records.ts";
import { replayFileReferences, replayFiles, type Target } from "../harness/http/index.ts";
import { expandCases, loadCorpus, payloadDirs } from "../harness/payloads/index.ts";
import { LOCAL_HOST_HEADER } from "../harness/targets/index.ts";
import { defaultVerdictPolicy } from "../harness/verdict/index.ts";
import { tempDir } from "./support/temp.ts";

const CONCURRENCY = 8;
const COMMAND_TIMEOUT_MS = 15_000;
/** After a request looks complete, the server waits this long for more bytes (a smuggled tail) before it answers. */
const QUIET_MS = 25;
/** A request that never looks complete (a malformed one) is answered after this much silence. */
const GIVE_UP_MS = 1_500;
const ID = /\r\nx-wafcheck-id: (wc-[\w-]+)\r\n/i;

/** A TCP server that keeps the bytes of each connection (one request each: it answers with Connection: close). */
async function startCaptureServer() {
  let phase: Map<string, Buffer[]> = new Map();
  const server = createServer((socket: Socket) => {
    const into = phase;
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const answer = () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(answer, requestComplete(Buffer.concat(chunks)) ? QUIET_MS : GIVE_UP_MS);
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      const bytes = Buffer.concat(chunks);
      const id = ID.exec(bytes.toString("latin1"))?.[1] ?? "(no id)";
      into.set(id, [...(into.get(id) ?? []), bytes]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Starts a new phase: connections opened from now on are recorded apart. Returns the new phase's captures. */
    newPhase: () => (phase = new Map()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Whether the bytes hold a whole request: its head, then the body its Content-Length or chunked framing says. */
function requestComplete(bytes: Buffer): boolean {
  const headEnd = bytes.indexOf("\r\n\r\n");
  if (headEnd < 0) return false;
  const lines = bytes.subarray(0, headEnd).toString("latin1").split("\r\n").slice(1);
  const value = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).trim());
  let at = headEnd + 4;
  if (value("transfer-encoding").some((v) => /chunked/i.test(v))) {
    for (;;) {
      const eol = bytes.indexOf("\r\n", at);
      if (eol < 0) return false;
      const size = parseInt(bytes.subarray(at, eol).toString("latin1").split(";")[0]!.trim(), 16);
      if (Number.isNaN(size)) return true; // not chunked after all: answer on silence (QUIET_MS)
      at = eol + 2;
      if (size === 0) break;
      at += size + 2;
    }
    for (;;) {
      const eol = bytes.indexOf("\r\n", at);
      if (eol < 0) return false;
      if (eol === at) return true;
      at = eol + 2;
    }
  }
  const length = Number(value("content-length")[0] ?? 0);
  return Number.isNaN(length) || bytes.length >= at + length;
}

/** Shapes the corpus lacks, each through a different branch of the replay (file, fallback, variable…). */
function extraRequests(): EngineRequest[] {
  const base = { suite: "owasp", group: "replay shapes", expect: "allow" as const };
  const filler = "lorem ipsum dolor sit amet ".repeat(5_400); // ≈ 145 KB, as suites/owasp/body-limit.spec.ts sends
  return [
    fakeRequest({ ...base, id: "evasion-body-limit/form/none", method: "POST", path: "/post", headers: [["User-Agent", "Mozilla/5.0"], ["Content-Type", "application/x-www-form-urlencoded"]], body: `notes=${encodeURIComponent(filler)}&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E` }),
    // The engine adds no correlation id to a request for the app directly: this one brings its own.
    fakeRequest({ ...base, id: "shape/upstream", path: "/get?x-user-type=baned", headers: [["x-user-type", "baned"], ["x-wafcheck-id", "wc-upstream-1"]], via: "upstream" }),
    fakeRequest({ ...base, id: "shape/head", method: "HEAD", path: "/get", headers: [["x-user-type", "baned"]] }),
    fakeRequest({ ...base, id: "shape/empty-header-value", path: "/get", headers: [["X-Empty", ""], ["Accept", "*/*"]] }),
    fakeRequest({ ...base, id: "shape/nul-in-body", method: "POST", path: "/post", headers: [["Content-Type", "application/octet-stream"]], body: new Uint8Array([0x41, 0x00, 0xff, 0x0d, 0x0a, 0x42]) }),
    fakeRequest({ ...base, id: "shape/utf8-text-body", method: "PUT", path: "/put", headers: [["Content-Type", "text/plain; charset=utf-8"]], body: "Siobhán Ó Briain — 東京 ".repeat(300) }),
    fakeRequest({ ...base, id: "shape/post-without-body", method: "POST", path: "/post", headers: [["Connection", "close"]] }),
    fakeRequest({ ...base, id: "shape/path", path: "/get/./a/../b?password[$ne]=1&__proto__[isAdmin]=true&q=['id']&s=!$x`y`\"z\"", headers: [] }),
    fakeRequest({ ...base, id: "shape/streamed-large", method: "POST", path: "/post", headers: [["Content-Type", "application/json"]], body: JSON.stringify({ items: "x".repeat(6_000) }), streamed: { trailers: [["X-Checksum", "abc"]] } }),
    fakeRequest({ ...base, id: "shape/raw-large", transport: "raw", path: "/post", headers: [], raw: `POST /post HTTP/1.1\r\nHost: {{host}}\r\nContent-Length: 8000\r\n\r\n${"y".repeat(8_000)}` }),
  ];
}

function firstDifference(a: Buffer, b: Buffer): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (x: Buffer) => JSON.stringify(x.subarray(Math.max(0, i - 40), i + 60).toString("latin1"));
  return `at byte ${i} (lengths ${a.length} / ${b.length}):\n    engine ${around(a)}\n    replay ${around(b)}`;
}

test("every record's replay command sends the request byte for byte as the engine sent it", { timeout: 180_000 }, async () => {
  const nc = await execa("bash", ["-c", "command -v nc"], { reject: false });
  assert.equal(nc.exitCode, 0, "nc is needed for raw replays (scripts/bootstrap.sh test installs netcat-openbsd)");

  const server = await startCaptureServer();
  const dispatcher = new Agent({ connections: CONCURRENCY });
  try {
    // A target shaped like the local stack's (named Host, no secrets), at the capture server.
    const target: Target = { name: "local", kind: "local", baseUrl: server.url, upstreamUrl: server.url, hostHeader: LOCAL_HOST_HEADER, headers: {}, allowlist: ["127.0.0.1", LOCAL_HOST_HEADER] };
    // Correlation ids as a local run sends them (they also pair each replay with its request); no WAF log to read.
    const wafLog = { prefix: "wc-replay", settle: async () => new Map() } as unknown as WafLog;
    const engine = new Engine({ target, dispatcher, wafLog, settings: { paranoia: 1, capabilities: new Set(), gaps: [], policy: defaultVerdictPolicy }, concurrency: CONCURRENCY });
    const corpus = expandCases(loadCorpus(payloadDirs({}))).map((r): EngineRequest => ({ ...r, suite: r.expect === "block" ? "owasp" : "false-positives", group: r.class }));
    const requests = [...corpus, ...extraRequests()];

    const sent = server.newPhase();
    const records = await engine.run(requests);
    const ids = records.map(keyOf);
    assert.equal(new Set(ids).size, requests.length, "every record carries its own correlation id");
    await until(() => ids.every((id) => sent.has(id)), "the engine's requests reached the capture server");
    const failed = records.filter((r) => r.response.kind !== "response");
    assert.deepEqual(failed.map((r) => `${r.id}: ${r.response.kind === "error" ? r.response.message : ""}`), [], "the server answered every request");

    // The report's files, as the renderer writes them beside the records.
    const dir = await tempDir("wafcheck-replays-");
    const files = replayFiles(records);
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.bytes);
    }
    const named = new Set(records.flatMap((r) => replayFileReferences(r.sent.reproducer)));
    assert.deepEqual([...named].filter((p) => !files.some((f) => f.path === p)), [], "every replay file a command names is written");
    assert.ok(named.size >= 5, `large and NUL bodies, large raw and streamed requests go through replay files (${named.size})`);

    const replay = async (commands: ReadonlyArray<readonly [WafRecord, string]>) => {
      const got = server.newPhase();
      const limit = pLimit(CONCURRENCY);
      const runs = await Promise.all(
        commands.map(([r, command]) =>
          limit(() => execa("bash", ["-c", command], { cwd: dir, env: { GATEWAY_URL: server.url, UPSTREAM_URL: server.url }, timeout: COMMAND_TIMEOUT_MS, reject: false }).then((x) => [r, x] as const)),
        ),
      );
      await until(() => commands.every(([r]) => got.has(keyOf(r))), "the replays reached the capture server", 5_000).catch(() => {});
      return { got, runs };
    };
    const compare = (r: WafRecord, got: Map<string, Buffer[]>): string | undefined => {
      const id = keyOf(r);
      const [original] = sent.get(id) ?? [];
      const again = got.get(id) ?? [];
      if (!original) return "the engine's request was not captured";
      if (again.length !== 1) return `the replay made ${again.length} requests`;
      return original.equals(again[0]!) ? undefined : firstDifference(original, again[0]!);
    };

    const { got, runs } = await replay(records.map((r) => [r, r.sent.reproducer] as const));
    const differing = records.flatMap((r) => {
      const why = compare(r, got);
      if (!why) return [];
      const run = runs.find(([x]) => x === r)![1];
      return [`${r.id}: ${why}\n    exit ${run.exitCode}${run.timedOut ? " (timed out)" : ""} ${String(run.stderr).slice(0, 200)}\n    ${r.sent.reproducer.slice(0, 400)}`];
    });
    const kinds = { curl: 0, nc: 0, file: 0 };
    for (const r of records) {
      if (r.sent.reproducer.startsWith("curl ")) kinds.curl++;
      else kinds.nc++;
      if (replayFileReferences(r.sent.reproducer).length > 0) kinds.file++;
    }
    console.log(`[replay-capture] ${records.length} replays, ${records.length - differing.length} identical (${kinds.curl} curl, ${kinds.nc} printf|nc; ${kinds.file} read a replay file)`);
    assert.deepEqual(differing.slice(0, 10), [], `${differing.length} replay(s) differ from what the engine sent`);

    // The comparison can fail: a replay with one more header, and one whose replay file lost a byte, are caught.
    const curlRecord = records.find((r) => r.sent.reproducer.startsWith("curl ") && r.id.startsWith("sqli"))!;
    const fileRecord = records.find((r) => r.id === "evasion-body-limit/form/none")!;
    const file = join(dir, replayFileReferences(fileRecord.sent.reproducer)[0]!);
    writeFileSync(file, readFileSync(file).subarray(1));
    const altered = await replay([
      [curlRecord, curlRecord.sent.reproducer.replace(" -H ", " -H 'X-Altered: 1' -H ")],
      [fileRecord, fileRecord.sent.reproducer],
    ]);
    assert.match(compare(curlRecord, altered.got) ?? "", /at byte \d+/, "an extra header is detected");
    assert.match(compare(fileRecord, altered.got) ?? "", /at byte \d+/, "a changed replay file is detected");
  } finally {
    await dispatcher.close();
    await server.close();
  }
});

/** The x-wafcheck-id a record's request carried: it pairs the engine's bytes with the replay's. */
function keyOf(r: WafRecord): string {
  return r.sent.correlationId ?? r.sent.headers.find(([n]) => n.toLowerCase() === "x-wafcheck-id")?.[1] ?? `(no id: ${r.id})`;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
