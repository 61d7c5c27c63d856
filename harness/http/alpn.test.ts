// WAF_HTTP=2 against a gateway: the ALPN check against real local TLS servers (one that speaks h2, one that does not).
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createSecureServer } from "node:http2";
import { createServer } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { UserError } from "../errors.ts";
import { makeGatewayCertificate } from "../stack/index.ts";
import type { Target } from "./target.ts";
import { assertOffersHttp2 } from "./alpn.ts";

let dir = "";
const servers: Server[] = [];
const urls = { h2: "", http1: "" };

before(async () => {
  const cert = await makeGatewayCertificate();
  dir = await mkdtemp(join(tmpdir(), "wafcheck-alpn-"));
  await writeFile(join(dir, "ca.pem"), cert.caPem);
  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  urls.h2 = await listen(createSecureServer({ key: cert.keyPem, cert: cert.certPem, allowHTTP1: true }) as unknown as Server);
  urls.http1 = await listen(createServer({ key: cert.keyPem, cert: cert.certPem }));
});

after(async () => {
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
});

const target = (baseUrl: string): Target => ({
  name: "gw", kind: "remote", baseUrl, hostHeader: "app.wafcheck.test", headers: {}, allowlist: ["127.0.0.1", "app.wafcheck.test"], tls: { caFile: join(dir, "ca.pem") },
});

test("a gateway that offers h2 by ALPN passes", async () => {
  await assertOffersHttp2(target(urls.h2));
});

test("a gateway that speaks HTTP/1.1 only stops the run (exit 3) with one line naming it", async () => {
  await assert.rejects(assertOffersHttp2(target(urls.http1)), (e: UserError) => e.exitCode === 3 && /does not offer HTTP\/2 by ALPN/.test(e.message) && !e.message.includes("\n"));
});

test("a clear-text URL is bad input (exit 2): HTTP/2 is negotiated by TLS", async () => {
  await assert.rejects(assertOffersHttp2(target("http://127.0.0.1:1")), (e: UserError) => e.exitCode === 2 && /needs an https:\/\/ URL/.test(e.message));
});

test("an untrusted certificate is a failed handshake, not a protocol verdict", async () => {
  await assert.rejects(assertOffersHttp2({ ...target(urls.h2), tls: {} }), (e: UserError) => e.exitCode === 3 && /TLS handshake/.test(e.message));
});
