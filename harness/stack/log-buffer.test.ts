import assert from "node:assert/strict";
import { test } from "node:test";
import { LogBuffer } from "./log-buffer.ts";

test("waitFor resolves on the first matching text appended later", async () => {
  const log = new LogBuffer();
  log.append("[info] starting\n");
  const seen = log.waitFor(/\[critical\]\[main\]/);
  log.append("[warning] something\n");
  log.append("[2026][1][critical][main] error initializing config\n");
  assert.equal(await seen, "[critical][main]");
});

test("the buffer keeps only the last `limit` characters", () => {
  const log = new LogBuffer(10);
  log.append("0123456789");
  log.append("abcdef");
  assert.equal(log.text(), "abcdef");
});
