import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseInterruptionLine, parseRuleLine, TransactionIndex, WafLog } from "./waf-log.ts";

const line = (tx: string, id: number, extra = "", verb = "Warning.") =>
  `[2026-11-29 13:58:30.090][12][critical][wasm] [context.cc:1160] wasm log coraza coraza: [client "172.22.0.1"] Coraza: ${verb} x [file "_inline_"] [line "1"] [id "${id}"] [rev ""] [msg "m ${id}"] [data "${extra}"] [severity "critical"] [hostname "h"] [uri "/get"] [unique_id "${tx}"]`;
const start = (tx: string, req: string) => line(tx, 99901, req);
const end = (tx: string, req: string) => line(tx, 99902, req);

test("a rule line gives its transaction, id, message, data and a disruptive action", () => {
  const parsed = parseRuleLine(line("T1", 949110, "d\\x41", "Access denied (phase 2)."));
  assert.deepEqual(parsed, { txId: "T1", rule: { id: 949110, msg: "m 949110", data: "dA", disruptive: { action: "denied", phase: 2 } } });
  assert.equal(parseRuleLine("[info] something else"), undefined);
});

test("the plug-in's interruption line names transaction, action and phase", () => {
  const text = `wasm log coraza coraza: Transaction interrupted tx_id="T9" context_id=2 action="deny" phase="http_response_body"`;
  assert.deepEqual(parseInterruptionLine(text), { txId: "T9", action: "deny", phase: "http_response_body" });
});

test("interleaved lines of several requests are joined by transaction, others' requests are dropped", () => {
  const index = new TransactionIndex("wc-run-1");
  index.add([start("A", "wc-run-1-0"), start("B", "wc-run-1-1"), start("C", "wc-run-12-0"), line("B", 941100), line("A", 942100), line("C", 930100)].join("\n"));
  index.add([line("A", 949110, "", "Access denied (phase 2)."), `x: Transaction interrupted tx_id="A" context_id=1 action="deny" phase="http_request_body"`, end("A", "wc-run-1-0")].join("\n"));
  const a = index.take("wc-run-1-0")!;
  assert.deepEqual(a.rules.map((r) => r.id), [942100, 949110]);
  assert.equal(a.ended, true);
  assert.deepEqual(a.interrupted, { action: "deny", phase: "http_request_body" });
  const b = index.get("wc-run-1-1")!;
  assert.deepEqual(b.rules.map((r) => r.id), [941100]);
  assert.equal(b.ended, false);
  assert.equal(index.get("wc-run-12-0"), undefined, "another worker's request (a prefix that only looks alike)");
});

test("settle: a sentinel proves which requests never reached the WAF, without fixed waits", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wafcheck-log-test-"));
  const file = join(dir, "envoy.log");
  writeFileSync(file, start("OLD", "wc-r-p-0") + "\n"); // before the follower started: ignored
  const log = new WafLog(file, "wc-r-p");
  appendFileSync(file, [start("A", "wc-r-p-1"), line("A", 101, "", "Access denied (phase 1)."), end("A", "wc-r-p-1")].join("\n") + "\n");
  const began = Date.now();
  const evidence = await log.settle(["wc-r-p-1", "wc-r-p-2"], "wc-r-p-3", async () => appendFileSync(file, start("S", "wc-r-p-3") + "\n"));
  assert.ok(Date.now() - began < 1_000);
  assert.deepEqual(evidence.get("wc-r-p-1"), { kind: "logged", txId: "A", rules: [{ id: 101, msg: "m 101", data: "", disruptive: { action: "denied", phase: 1 } }], complete: true });
  assert.equal(evidence.get("wc-r-p-2")?.kind, "not-logged");
  rmSync(dir, { recursive: true });
  const gone = await log.settle(["wc-r-p-4"], "wc-r-p-5", async () => undefined);
  assert.equal(gone.get("wc-r-p-4")?.kind, "unreadable", "a log that cannot be read is named, not taken as 'no rules'");
});

test("settle: a WAF that logs nothing costs one timeout, then no more waiting", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wafcheck-log-test-"));
  const file = join(dir, "envoy.log");
  writeFileSync(file, "");
  const log = new WafLog(file, "wc-r-q");
  const first = await log.settle(["wc-r-q-0"], "wc-r-q-1", async () => undefined, 200);
  assert.match((first.get("wc-r-q-0") as { reason: string }).reason, /logged nothing/);
  const began = Date.now();
  await log.settle(["wc-r-q-2"], "wc-r-q-3", async () => undefined, 5_000);
  assert.ok(Date.now() - began < 100);
  rmSync(dir, { recursive: true });
});
