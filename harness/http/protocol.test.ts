import assert from "node:assert/strict";
import { test } from "node:test";
import { PROTOCOL_HEADER } from "../envoy/index.ts";
import { wireProtocol } from "./protocol.ts";
import type { Outcome } from "./request.ts";

const response = (headers: Record<string, string>): Outcome => ({ kind: "response", status: 200, headers, bodyHead: "", elapsedMs: 1 });

test("the protocol Envoy saw wins over what the target asked for", () => {
  assert.equal(wireProtocol({ http: "2" }, response({ [PROTOCOL_HEADER]: "HTTP/1.1" }), false), "HTTP/1.1");
  assert.equal(wireProtocol({}, response({ [PROTOCOL_HEADER]: "HTTP/2" }), false), "HTTP/2");
});

test("raw request text is HTTP/1.1 whatever the target speaks", () => {
  assert.equal(wireProtocol({ http: "2" }, response({ [PROTOCOL_HEADER]: "HTTP/2" }), true), "HTTP/1.1");
});

test("without Envoy's word (a gateway, an error) the target's version is recorded", () => {
  assert.equal(wireProtocol({ http: "2" }, { kind: "error", code: "ECONNRESET", message: "reset", elapsedMs: 1 }, false), "HTTP/2");
  assert.equal(wireProtocol({}, response({}), false), "HTTP/1.1");
});
