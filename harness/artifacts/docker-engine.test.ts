import assert from "node:assert/strict";
import { test } from "node:test";
import { loopbackHostOverride } from "./docker-engine.ts";

test("a local engine is probed on 127.0.0.1, where the stack publishes its ports", () => {
  assert.equal(loopbackHostOverride({}), "127.0.0.1");
  assert.equal(loopbackHostOverride({ DOCKER_HOST: "unix:///var/run/docker.sock" }), "127.0.0.1");
});

test("a user's own override and a TCP engine are left alone", () => {
  assert.equal(loopbackHostOverride({ TESTCONTAINERS_HOST_OVERRIDE: "10.0.0.5" }), undefined);
  assert.equal(loopbackHostOverride({ DOCKER_HOST: "tcp://build-host:2375" }), undefined);
});
