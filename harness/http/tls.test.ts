// The TLS options of a target (tls.ca, tls.insecure, tls.servername) against a real node:https server on
// 127.0.0.1 with a self-signed certificate made here by the openssl CLI: a gateway's TLS is checked as it is
// configured, and an untrusted certificate is an infrastructure error, never a WAF verdict.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { TLSSocket } from "node:tls";
import type { Target } from "./target.ts";
import { classify } from "../verdict/index.ts";
import type { Outcome } from "./request.ts";
import { sendRaw } from "./raw-send.ts";
import { createDispatcher, send } from "./send.ts";

const GATEWAY = "gw.tls.test";
const APP = "app.tls.test";

const openssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const skip = !openssl && "the openssl CLI is not on PATH: it makes the self-signed certificate these tests need";

let dir = "";
let certFile = "";
let server: Server | undefined;
let baseUrl = "";
/** The SNI of each TLS handshake, as the server saw it ("" when the client sent none). */
const sniSeen: string[] = [];

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "wafcheck-tls-"));
  certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  // One self-signed certificate valid for both names and the IP, so that each case fails or passes on trust alone.
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=wafcheck tls test",
      "-addext", `subjectAltName=DNS:${GATEWAY},DNS:${APP},IP:127.0.0.1`, "-keyout", keyFile, "-out", certFile],
    { stdio: "ignore" },
  );
  server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    const body = JSON.stringify({ sni: (req.socket as TLSSocket).servername || "", host: req.headers.host });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); // not chunked: raw sends read it as is
    res.end(body);
  });
  server.on("secureConnection", (socket: TLSSocket) => sniSeen.push(socket.servername || ""));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function target(fields: Partial<Target> = {}): Target {
  return { name: "tls-gw", kind: "remote", baseUrl, headers: {}, allowlist: ["127.0.0.1", GATEWAY, APP], ...fields };
}

/** One GET /get through the project's dispatcher and send path; the dispatcher is closed after. */
async function get(t: Target): Promise<Outcome> {
  const dispatcher = createDispatcher(t);
  try {
    return await send(t, dispatcher, { id: "tls", method: "GET", path: "/get", headers: [] }, { timeoutMs: 5_000 });
  } finally {
    await dispatcher.close();
  }
}

function sniOf(outcome: Outcome): string {
  assert.equal(outcome.kind, "response", JSON.stringify(outcome));
  return (JSON.parse(outcome.kind === "response" ? outcome.bodyHead : "{}") as { sni: string }).sni;
}

test("an untrusted certificate is refused by default, as an infrastructure error (not a verdict)", { skip }, async () => {
  const handshakes = sniSeen.length;
  const outcome = await get(target());
  assert.equal(outcome.kind, "error", JSON.stringify(outcome));
  assert.match(outcome.kind === "error" ? `${outcome.code} ${outcome.message}` : "", /SELF_SIGNED|self.signed|certificate/i);
  assert.equal(classify(outcome), "infra");
  assert.ok(sniSeen.length === handshakes, "the handshake failed: no request was served");
});

test("tls.ca naming the certificate makes it trusted", { skip }, async () => {
  const outcome = await get(target({ tls: { caFile: certFile } }));
  assert.equal(outcome.kind === "response" && outcome.status, 200, JSON.stringify(outcome));
  assert.equal(classify(outcome), "allowed");
});

test("tls.ca is checked against the name: a certificate without it is still refused", { skip }, async () => {
  const outcome = await get(target({ tls: { caFile: certFile, servername: "other.tls.test" } }));
  assert.equal(outcome.kind, "error", JSON.stringify(outcome));
  assert.match(outcome.kind === "error" ? outcome.message : "", /other\.tls\.test|altnames|Hostname/i);
});

test("tls.insecure accepts the untrusted certificate", { skip }, async () => {
  const outcome = await get(target({ tls: { insecure: true } }));
  assert.equal(outcome.kind === "response" && outcome.status, 200, JSON.stringify(outcome));
});

test("SNI: tls.servername when set, else the target's Host header", { skip }, async () => {
  assert.equal(sniOf(await get(target({ tls: { caFile: certFile, servername: GATEWAY } }))), GATEWAY);
  assert.equal(sniOf(await get(target({ hostHeader: APP, tls: { caFile: certFile } }))), APP);
  assert.equal(sniOf(await get(target({ hostHeader: GATEWAY, tls: { caFile: certFile, servername: GATEWAY } }))), GATEWAY);
});

test("SNI: tls.servername wins over a different Host header", { skip }, async () => {
  assert.equal(sniOf(await get(target({ hostHeader: APP, tls: { caFile: certFile, servername: GATEWAY } }))), GATEWAY);
});

test("raw sends: an untrusted certificate is refused by default; insecure accepts it", { skip }, async () => {
  const raw = "GET /get HTTP/1.1\r\nHost: {{host}}\r\nConnection: close\r\n\r\n";
  const refused = await sendRaw(target({ hostHeader: APP }), raw);
  assert.equal(refused.kind, "error", JSON.stringify(refused));
  assert.equal(classify(refused), "infra");
  const insecure = await sendRaw(target({ hostHeader: APP, tls: { insecure: true } }), raw);
  assert.equal(insecure.kind === "response" && insecure.status, 200, JSON.stringify(insecure));
  assert.equal(sniOf(insecure), APP);
});

test("raw sends: tls.ca makes the certificate trusted", { skip }, async () => {
  const raw = "GET /get HTTP/1.1\r\nHost: {{host}}\r\nConnection: close\r\n\r\n";
  const outcome = await sendRaw(target({ hostHeader: APP, tls: { caFile: certFile, servername: GATEWAY } }), raw);
  assert.equal(outcome.kind === "response" && outcome.status, 200, JSON.stringify(outcome));
  assert.equal(sniOf(outcome), GATEWAY);
});
