// The two causes of 941110-8, 980170-1 and 980170-2 failing here while go-ftw passed them: the bytes a YAML string
// becomes on the wire, and the phase-5 lines the WAF logs after wafcheck's correlation end line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { TransactionIndex } from "../engine/index.ts";
import { judgeFtwStage } from "./judge.ts";
import { parseFtwFile } from "./load.ts";
import { ftwReplayCommand, ftwRequestText } from "./request.ts";

const bytes = (text: string) => Buffer.from(text, "latin1");

test("941110-8: a YAML string goes out as its UTF-8 bytes, as go-ftw writes it (not the low byte of each character)", () => {
  // The test as CRS 4.14.0 writes it (REQUEST-941-APPLICATION-ATTACK-XSS/941110.yaml), fullwidth < and > in a cookie name.
  const [t] = parseFtwFile(
    'rule_id: 941110\ntests:\n  - test_id: 8\n    stages:\n      - input:\n          uri: "/get"\n          headers:\n            Host: localhost\n            Cookie: ＜script ＞alert(1)＜/script＞=value\n        output:\n          log:\n            expect_ids: [941110]\n',
    "941110.yaml",
  );
  const wire = bytes(ftwRequestText(t!.stages[0]!.input));
  const cookie = wire.subarray(wire.indexOf("Cookie: ") + 8, wire.indexOf("\r\n", wire.indexOf("Cookie: ")));
  // ＜ is U+FF1C: EF BC 9C in UTF-8. Written as latin1 the character became the single byte 1C, a control byte in a
  // header value, and Envoy answered 400 before the WAF saw the request.
  assert.equal(cookie.toString("hex"), Buffer.from("＜script ＞alert(1)＜/script＞=value", "utf8").toString("hex"));
  assert.equal(cookie.subarray(0, 3).toString("hex"), "efbc9c");
  assert.ok(!cookie.includes(0x1c) && !cookie.includes(0x1e));
});

test("UTF-8 everywhere go-ftw writes Go strings (uri, header names and values, data); Content-Length counts bytes; encoded_* stay as they are", () => {
  const text = ftwRequestText({ method: "POST", uri: "/get?ssrf=169。254", headers: { "X-Ü": "é" }, data: "payload=überlieferte" });
  assert.ok([...text].every((c) => c.charCodeAt(0) <= 0xff), "a byte string: one character per byte");
  const wire = bytes(text);
  assert.ok(wire.includes(Buffer.from("/get?ssrf=169。254 HTTP/1.1", "utf8")));
  assert.ok(wire.includes(Buffer.from("X-Ü: é\r\n", "utf8")));
  assert.match(text, /Content-Length: 21\r\n/, "21 bytes (ü is two), not 20 characters");
  assert.ok(wire.subarray(wire.length - 21).equals(Buffer.from("payload=überlieferte", "utf8")));
  const raw = Buffer.from([0x47, 0x45, 0x54, 0x20, 0x2f, 0xff, 0x00, 0x20]);
  assert.ok(bytes(ftwRequestText({ encoded_request: raw.toString("base64") })).equals(raw));
  const body = Buffer.from([0xc3, 0x28, 0xff]); // invalid UTF-8 on purpose: sent as is
  const withBody = bytes(ftwRequestText({ method: "POST", encoded_data: body.toString("base64") }));
  assert.ok(withBody.subarray(withBody.length - 3).equals(body));
  assert.match(withBody.toString("latin1"), /Content-Length: 3\r\n/);
});

test("the replay command sends the same bytes: non-ASCII, control bytes, NUL, %, \\ and ' included (run through sh)", () => {
  const raw = Buffer.concat([Buffer.from("GET /%41 HTTP/1.1\r\nCookie: ＜s\\'\t\x01=1\r\n", "utf8"), Buffer.from([0x00, 0xff, 0x0a])]).toString("latin1");
  const command = ftwReplayCommand("http://127.0.0.1:32780", raw);
  assert.match(command, /^printf '[ -~]*' \| nc -w 5 127\.0\.0\.1 32780$/, "printable ASCII only, nothing the terminal or a report could mangle");
  const printf = command.slice(0, command.lastIndexOf(" | nc "));
  const out = spawnSync("sh", ["-c", printf]);
  assert.equal(out.status, 0, out.stderr.toString());
  assert.equal(out.stdout.toString("hex"), bytes(raw).toString("hex"));
  assert.match(ftwReplayCommand("https://gw.example:8443", "GET / HTTP/1.1\r\n\r\n"), /\| openssl s_client -quiet -connect gw\.example:8443$/);
});

// Envoy's log lines for 980170-2 on this stack (shortened): CRS's phase-5 rule 980170 is defined after wafcheck's
// correlation end rule 99902 (which goes first in the directive set), so it logs right after the end line.
const logLine = (id: number, msg: string, data: string) =>
  `[2026-12-04 16:09:34.972][13][critical][wasm] [source/extensions/common/wasm/context.cc:1160] wasm log coraza coraza: [client "172.20.0.1"] Coraza: Warning. ${msg} [file "f"] [line "1"] [id "${id}"] [rev ""] [msg "${msg}"] [data "${data}"] [severity "emergency"] [ver ""] [maturity "0"] [accuracy "0"] [hostname "172.20.0.4"] [uri "/get"] [unique_id "swpumotFBsmeyfQlPNm"]`;
const start = logLine(99901, "wafcheck request start", "wc-r-1-6");
const rule920350 = logLine(920350, "Host header is a numeric IP address", "127.0.0.1");
const end = logLine(99902, "wafcheck request end", "wc-r-1-6");
const rule980170 = logLine(980170, "Anomaly Scores: (Inbound Scores: blocking=3, detection=3, per_pl=3-0-0-0, threshold=5)", "");

test("980170-1/-2: phase-5 lines logged after the correlation end line are the request's too, in the same read or a later one", () => {
  const expect = { log: { expect_ids: [980170] } };
  const ok = { kind: "response" as const, status: 200, headers: {}, bodyHead: "", elapsedMs: 1 };
  for (const reads of [[[start, rule920350, end, rule980170]], [[start, rule920350, end], [rule980170]]]) {
    const index = new TransactionIndex("wc-r-1");
    for (const chunk of reads) index.add(chunk.join("\n"));
    const tx = index.take("wc-r-1-6")!;
    assert.equal(tx.ended, true);
    assert.deepEqual(tx.rules.map((r) => r.id), [920350, 980170]);
    assert.equal(tx.lines.length, 2, "the correlation lines themselves are left out");
    const evidence = { kind: "logged" as const, txId: tx.txId, rules: tx.rules, complete: tx.ended, lines: tx.lines };
    assert.deepEqual(judgeFtwStage(expect, ok, evidence, { mode: "local" }), { outcome: "passed" });
    assert.match(tx.lines.join("\n"), /Anomaly Scores/, "log regexes see the line too");
    // Once taken, the transaction is forgotten: a line of it that comes later is dropped, not kept forever.
    index.add(logLine(980170, "late", ""));
    assert.equal(index.get("wc-r-1-6"), undefined);
  }
  // 980170-3: a request that scored nothing has no 980170 line, and no_expect_ids still holds.
  const quiet = new TransactionIndex("wc-r-1");
  quiet.add([start, end].join("\n"));
  const tx = quiet.take("wc-r-1-6")!;
  const evidence = { kind: "logged" as const, txId: tx.txId, rules: tx.rules, complete: true, lines: tx.lines };
  assert.deepEqual(judgeFtwStage({ log: { no_expect_ids: [980170] } }, { kind: "response", status: 200, headers: {}, bodyHead: "", elapsedMs: 1 }, evidence, { mode: "local" }), { outcome: "passed" });
});
