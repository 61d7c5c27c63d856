import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import type { Target } from "./target.ts";
import { sendRaw } from "./raw-send.ts";

test("a WebSocket upgrade answered 101 returns at once, although the server keeps the connection open", async () => {
  const sockets: Socket[] = [];
  let received = "";
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (!received.includes("\r\n\r\n")) return;
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n");
      socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // a frame; the connection then stays open
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const target: Target = { name: "t", kind: "local", baseUrl: `http://127.0.0.1:${port}`, hostHeader: "app.wafcheck.test", headers: {}, allowlist: ["127.0.0.1", "app.wafcheck.test"] };
  try {
    const outcome = await sendRaw(target, "GET /websocket/echo?q=1 HTTP/1.1\r\nHost: {{host}}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", { timeoutMs: 5_000 });
    assert.equal(outcome.kind, "response", JSON.stringify(outcome));
    assert.ok(outcome.kind === "response");
    assert.equal(outcome.status, 101);
    assert.ok(outcome.elapsedMs < 2_000, `took ${outcome.elapsedMs} ms`);
    assert.match(received, /^GET \/websocket\/echo\?q=1 HTTP\/1\.1\r\nHost: app\.wafcheck\.test\r\n/);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});
