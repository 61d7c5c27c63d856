// sendStreamed against real local servers: the body goes without Content-Length and the trailers arrive, over
// HTTP/1.1 (chunked) and over HTTP/2 (TLS, ALPN h2).
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createSecureServer, type Http2ServerRequest } from "node:http2";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeGatewayCertificate } from "../stack/index.ts";
import type { Target } from "./target.ts";
import { streamedReproducer } from "./curl.ts";
import type { RequestSpec } from "./request.ts";
import { needsNodeClient, sendStreamed } from "./send-streamed.ts";

interface Seen { httpVersion: string; contentLength?: string; transferEncoding?: string; body: string; trailers: Record<string, string>; authority?: string }
const seen: Seen[] = [];
const servers: Server[] = [];
let dir = "";
const urls = { h1: "", h2: "" };

function echo(req: IncomingMessage | Http2ServerRequest, res: { writeHead(s: number, h: Record<string, string>): void; end(b: string): void }) {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c: string) => (body += c));
  req.on("end", () => {
    seen.push({
      httpVersion: req.httpVersion, contentLength: req.headers["content-length"] as string | undefined, transferEncoding: req.headers["transfer-encoding"] as string | undefined,
      body, trailers: req.trailers as Record<string, string>, authority: req.headers[":authority"] as string | undefined,
    });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
}

before(async () => {
  const cert = await makeGatewayCertificate();
  dir = await mkdtemp(join(tmpdir(), "wafcheck-streamed-"));
  await writeFile(join(dir, "ca.pem"), cert.caPem);
  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  };
  urls.h1 = `http://127.0.0.1:${await listen(createHttpServer(echo))}`;
  urls.h2 = `https://127.0.0.1:${await listen(createSecureServer({ key: cert.keyPem, cert: cert.certPem }, echo) as unknown as Server)}`;
});

after(async () => {
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
});

const target = (baseUrl: string, http?: "2"): Target => ({
  name: "t", kind: "local", baseUrl, hostHeader: "app.wafcheck.test", headers: {}, allowlist: ["127.0.0.1", "app.wafcheck.test"],
  ...(http && { http, tls: { caFile: join(dir, "ca.pem"), servername: "app.wafcheck.test" } }),
});
const spec: RequestSpec = {
  id: "s", method: "POST", path: "/post", headers: [["Content-Type", "application/json"]], body: '{"q":"1\' OR 1=1--"}',
  streamed: { trailers: [["x-checksum", "abc"]] },
};

test("over HTTP/1.1 the body is chunked (no Content-Length) and the trailers follow it", async () => {
  const outcome = await sendStreamed(target(urls.h1), spec);
  assert.equal(outcome.kind === "response" && outcome.status, 200);
  const s = seen.at(-1)!;
  assert.equal(s.httpVersion, "1.1");
  assert.equal(s.contentLength, undefined);
  assert.equal(s.transferEncoding, "chunked");
  assert.equal(s.body, spec.body);
  assert.deepEqual(s.trailers, { "x-checksum": "abc" });
});

test("over HTTP/2 the body goes in DATA frames without Content-Length, the trailers in a HEADERS frame after it", async () => {
  const outcome = await sendStreamed(target(urls.h2, "2"), spec);
  assert.equal(outcome.kind === "response" && outcome.status, 200, JSON.stringify(outcome));
  const s = seen.at(-1)!;
  assert.equal(s.httpVersion, "2.0");
  assert.equal(s.contentLength, undefined);
  assert.equal(s.authority, "app.wafcheck.test");
  assert.equal(s.body, spec.body);
  assert.equal(s.trailers["x-checksum"], "abc");
});

test("a refused connection is an error outcome, never a verdict", async () => {
  const outcome = await sendStreamed(target("http://127.0.0.1:1"), spec);
  assert.equal(outcome.kind, "error");
});

test("the replay: nghttp with the trailers over HTTP/2, the chunked bytes over HTTP/1.1", () => {
  const h2 = streamedReproducer("https://127.0.0.1:8443", { ...spec, streamed: spec.streamed! }, true);
  assert.match(h2, /\| nghttp -v --no-content-length -H ':method: POST' -H 'Content-Type: application\/json' --trailer='x-checksum: abc' -d - https:\/\/127\.0\.0\.1:8443\/post$/);
  const h1 = streamedReproducer("http://127.0.0.1:8080", { ...spec, streamed: spec.streamed! }, false);
  assert.ok(h1.includes("Trailer: x-checksum\\r\\nConnection: keep-alive\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n13\\r\\n"), h1);
  assert.ok(h1.endsWith("0\\r\\nx-checksum: abc\\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080"), h1);
});

test("over HTTP/2 a GET with a body (undici cannot send it) goes with its Content-Length", async () => {
  const get: RequestSpec = { id: "g", method: "GET", path: "/get", headers: [["Content-Type", "application/x-shockwave-flash"]], body: "payload" };
  assert.ok(needsNodeClient({ http: "2" }, get) && !needsNodeClient({}, get) && !needsNodeClient({ http: "2" }, { ...get, method: "POST" }));
  const outcome = await sendStreamed(target(urls.h2, "2"), get);
  assert.equal(outcome.kind === "response" && outcome.status, 200, JSON.stringify(outcome));
  const s = seen.at(-1)!;
  assert.equal(s.contentLength, "7");
  assert.equal(s.body, "payload");
});
