import assert from "node:assert/strict";
import { test } from "node:test";
import { UserError } from "../errors.ts";
import { auditExceptions, requestGrepText, selectedBy } from "../payloads/index.ts";
import { splitGrep } from "./grep-args.ts";

const corpus = [
  { id: "sqli-001/query/none", caseId: "sqli-001", title: "UNION", class: "sqli", owasp2025: "A05:2025", source: "payloads/sqli.yaml", expect: "block" },
  { id: "sqli-001/cookie/none", caseId: "sqli-001", title: "UNION", class: "sqli", owasp2025: "A05:2025", source: "payloads/sqli.yaml", expect: "block" },
  { id: "xss-001/query/none", caseId: "xss-001", title: "script", class: "xss", owasp2025: "A05:2025", source: "payloads/xss.yaml", expect: "block" },
  { id: "lfi-001/query/none", caseId: "lfi-001", title: "passwd", class: "lfi", owasp2025: "A01:2025", source: "payloads/lfi.yaml", expect: "block" },
];

test("--grep selects requests: Playwright is told the groups that hold them, the run the user's pattern", () => {
  const split = splitGrep(["--grep", "cookie", "--workers=1"], corpus);
  assert.deepEqual(split.filter, { grep: "cookie" });
  assert.equal(split.argv[0], "--workers=1");
  const pw = new RegExp(split.argv[1]!.slice("--grep=".length));
  assert.ok(pw.test("owasp/attacks.spec.ts A05:2025 Injection (3 requests) @sqli @xss"), "the group holding the cookie request runs");
  assert.ok(!pw.test("owasp/attacks.spec.ts A01:2025 Broken Access Control (1 request) @lfi"));
  assert.ok(pw.test("a conformance test about a cookie"), "the user's pattern still selects tests by title");
  const only = corpus.filter((r) => selectedBy({ grep: [/cookie/] }, requestGrepText("A05:2025 Injection (3 requests)", r)));
  assert.deepEqual(only.map((r) => r.id), ["sqli-001/cookie/none"]);
  assert.deepEqual(splitGrep(["-gv=@xss"], corpus), { argv: ["--grep-invert=@xss"], filter: { grepInvert: "@xss" } });
  assert.deepEqual(splitGrep(["--list"], corpus), { argv: ["--list"] });
  assert.throws(() => splitGrep(["--grep", "("], corpus), UserError);
});

test("an exception must name a case or request of the corpus; a typo gets a suggestion", () => {
  const gap = (id: string) => ({ id, reason: "a reason long enough", date: "2026-11-26", source: "payloads/exceptions.yaml" });
  auditExceptions([gap("sqli-001"), gap("xss-001/query/none")], corpus);
  assert.throws(() => auditExceptions([gap("sqli-001"), gap("sqli-01")], corpus), /payloads\/exceptions\.yaml: exceptions\[1\]\.id "sqli-01" names no case or request of the corpus \(did you mean "sqli-001"\?\)/);
});
