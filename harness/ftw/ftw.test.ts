import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../errors.ts";
import { judgeFtwStage } from "./judge.ts";
import { parseFtwFile } from "./load.ts";
import { ftwRequestText } from "./request.ts";

const ok = (status = 200, body = "") => ({ kind: "response" as const, status, headers: {}, bodyHead: body, body, elapsedMs: 1 });
const logged = (ids: number[], lines: string[] = []) => ({ kind: "logged" as const, txId: "T", rules: ids.map((id) => ({ id })), complete: true, lines });

test("requests are built as go-ftw builds them", () => {
  assert.equal(
    ftwRequestText({ method: "POST", uri: "/post", headers: { Host: "localhost" }, data: "a=1" }),
    "POST /post HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1",
  );
  assert.equal(ftwRequestText({ uri: "/", autocomplete_headers: false, headers: { Host: "h" } }), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  assert.equal(ftwRequestText({ encoded_request: Buffer.from("GET /x HTTP/1.0\r\n\r\n").toString("base64") }), "GET /x HTTP/1.0\r\n\r\n");
});

test("local mode: rule ids and log regexes from the request's own lines; status and errors", () => {
  assert.deepEqual(judgeFtwStage({ log: { expect_ids: [942100] } }, ok(), logged([942100, 949110]), { mode: "local" }), { outcome: "passed" });
  assert.match(JSON.stringify(judgeFtwStage({ log: { no_expect_ids: [942100] } }, ok(), logged([942100]), { mode: "local" })), /matched, expected not to/);
  assert.equal(judgeFtwStage({ log: { match_regex: "id \"9\\d+\"" } }, ok(), logged([1], ['[id "942100"]']), { mode: "local" }).outcome, "passed");
  assert.equal(judgeFtwStage({ status: [400, 403] }, ok(200), logged([]), { mode: "local" }).outcome, "failed");
  assert.equal(judgeFtwStage({ expect_error: true }, { kind: "error", code: "ECONNRESET", message: "", elapsedMs: 1 }, { kind: "none" }, { mode: "local" }).outcome, "passed");
  assert.equal(judgeFtwStage({ log: { expect_ids: [1] } }, ok(), { kind: "unreadable", reason: "gone" }, { mode: "local" }).outcome, "failed");
});

test("status-only mode: blocks for expect_ids, passes for no_expect_ids, undecidable otherwise, never passed by default", () => {
  const gw = { mode: "status-only" as const, blockStatuses: [403] };
  assert.equal(judgeFtwStage({ log: { expect_ids: [942100] } }, ok(403), { kind: "none" }, gw).outcome, "passed");
  assert.equal(judgeFtwStage({ log: { expect_ids: [942100] } }, ok(200), { kind: "none" }, gw).outcome, "failed");
  assert.equal(judgeFtwStage({ log: { no_expect_ids: [942100] } }, ok(200), { kind: "none" }, gw).outcome, "passed");
  assert.equal(judgeFtwStage({ log: { match_regex: "x" } }, ok(200), { kind: "none" }, gw).outcome, "undecidable");
  assert.equal(judgeFtwStage({}, ok(200), { kind: "none" }, gw).outcome, "undecidable");
  assert.equal(judgeFtwStage({ status: 200, log: { expect_ids: [1] } }, ok(200), { kind: "none" }, gw).outcome, "passed", "an explicit status wins");
});

test("malformed files: one line naming file, test and field", () => {
  assert.throws(() => parseFtwFile("tests: [ {", "a.yaml"), (e: Error) => e instanceof UserError && /^a\.yaml(:\d+)?: invalid YAML/.test(e.message));
  assert.throws(() => parseFtwFile("rule_id: 1\ntests:\n  - test_id: 3\n    stages: []\n", "b.yaml"), /b\.yaml: test 3: stages: a test needs at least one stage/);
  assert.throws(() => parseFtwFile("rule_id: 1\ntests:\n  - test_id: 4\n    stages:\n      - output: {}\n", "c.yaml"), /c\.yaml: test 4: stages\.0\.input/);
  const [t] = parseFtwFile("rule_id: 942100\ntests:\n  - test_id: 2\n    desc: x\n    stages:\n      - input: {}\n        output: {}\n", "REQUEST-942/942100.yaml");
  assert.equal(t!.id, "942100-2");
  assert.equal(t!.ruleFile, "REQUEST-942");
});
