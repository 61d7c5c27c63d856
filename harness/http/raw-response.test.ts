import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRawResponse } from "./raw-response.ts";

test("a complete response with a body", () => {
  const r = parseRawResponse(Buffer.from("HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Request"));
  assert.equal(r?.status, 400);
  assert.equal(r?.headers["connection"], "close");
  assert.equal(r?.body.toString(), "Bad Request");
});

test("waits for the rest of the body", () => {
  assert.equal(parseRawResponse(Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")), undefined);
  assert.equal(parseRawResponse(Buffer.from("HTTP/1.1 200 OK\r\n")), undefined);
});

test("repeated headers become a list", () => {
  const r = parseRawResponse(Buffer.from("HTTP/1.1 403 Forbidden\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 0\r\n\r\n"));
  assert.deepEqual(r?.headers["x-a"], ["1", "2"]);
});

test("garbage is an error, not a verdict", () => {
  assert.throws(() => parseRawResponse(Buffer.from("SSH-2.0-OpenSSH\r\n\r\n")), /not an HTTP response/);
});

test("a 101 Switching Protocols ends at its header block, whatever follows on the upgraded connection", () => {
  const head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n";
  const r = parseRawResponse(Buffer.concat([Buffer.from(head), Buffer.from([0x81, 0x02, 0x68, 0x69])]));
  assert.equal(r?.status, 101);
  assert.equal(r?.headers["upgrade"], "websocket");
  assert.equal(r?.body.length, 0);
});
