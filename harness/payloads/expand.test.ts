import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BROWSER_USER_AGENT, MULTIPART_BOUNDARY } from "./browser.ts";
import { type ExpandedRequest, expandCase, expandCases } from "./expand.ts";
import { type Case, caseSchema } from "./schema.ts";

const attack = (over: Record<string, unknown>): Case =>
  caseSchema.parse({
    id: "sqli-003", title: "t", class: "sqli", owasp2025: "A05:2025", owasp2021: "A03:2021", cwe: "CWE-89",
    severity: "critical", expect: "block", paranoia: 1, payload: "1' OR 1=1", placements: ["query"], ...over,
  });

const header = (r: ExpandedRequest, name: string) => r.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
const one = (over: Record<string, unknown>) => {
  const [r, ...rest] = expandCase(attack(over));
  assert.equal(rest.length, 0);
  return r!;
};

describe("expandCase", () => {
  it("makes one request per placement × encoding with ids case/placement/encoding", () => {
    const ids = expandCase(attack({ placements: ["query", "form"], encodings: ["none", "url"] })).map((r) => r.id);
    assert.deepEqual(ids, ["sqli-003/query/none", "sqli-003/query/url", "sqli-003/form/none", "sqli-003/form/url"]);
  });

  it("is deterministic", () => {
    const c = attack({ placements: ["query", "json", "multipart-field", "header:Referer"], encodings: ["none", "case-mix"] });
    assert.deepEqual(expandCase(c), expandCase(c));
  });

  it("leaves out excluded pairs, with * wildcards", () => {
    const c = attack({ placements: ["query", "json"], encodings: ["none", "url"], exclude: ["json/url", "*/none"] });
    assert.deepEqual(expandCase(c).map((r) => r.id), ["sqli-003/query/url"]);
  });

  it("carries the case metadata", () => {
    const r = one({ crsRules: [942100] });
    assert.equal(r.caseId, "sqli-003");
    assert.equal(r.class, "sqli");
    assert.equal(r.owasp2025, "A05:2025");
    assert.equal(r.owasp2021, "A03:2021");
    assert.equal(r.severity, "critical");
    assert.equal(r.expect, "block");
    assert.equal(r.paranoia, 1);
    assert.equal(r.placement, "query");
    assert.equal(r.encoding, "none");
    assert.deepEqual(r.crsRules, [942100]);
    assert.equal(r.transport, "http");
  });

  it("sends browser headers and no Host", () => {
    const r = one({});
    assert.equal(header(r, "User-Agent"), BROWSER_USER_AGENT);
    assert.ok(header(r, "Accept"));
    assert.ok(header(r, "Accept-Language"));
    assert.equal(header(r, "Host"), undefined);
  });

  const placements: Array<[string, Record<string, unknown>, (r: ExpandedRequest) => void]> = [
    ["query", { placements: ["query"] }, (r) => assert.equal(r.path, "/get?q=1'%20OR%201=1")],
    ["query with param", { placements: ["query"], param: "id" }, (r) => assert.equal(r.path, "/get?id=1'%20OR%201=1")],
    ["query whole", { placements: ["query"], whole: true, payload: "a=1&b[$ne]=2" }, (r) => assert.equal(r.path, "/get?a=1&b[$ne]=2")],
    ["path", { placements: ["path"], payload: "../../etc/passwd" }, (r) => assert.equal(r.path, "/anything/../../etc/passwd")],
    ["path whole", { placements: ["path"], whole: true, payload: "/.git/config" }, (r) => assert.equal(r.path, "/.git/config")],
    ["header", { placements: ["header:X-Api-Version"] }, (r) => {
      assert.equal(r.method, "GET");
      assert.equal(header(r, "X-Api-Version"), "1' OR 1=1");
    }],
    ["header replaces a browser default", { placements: ["header:user-agent"] }, (r) => {
      assert.equal(r.headers.filter(([n]) => n.toLowerCase() === "user-agent").length, 1);
      assert.equal(header(r, "User-Agent"), "1' OR 1=1");
    }],
    ["cookie", { placements: ["cookie"] }, (r) => assert.equal(header(r, "Cookie"), "q=1' OR 1=1")],
    ["form", { placements: ["form"] }, (r) => {
      assert.equal(r.method, "POST");
      assert.equal(r.path, "/post");
      assert.equal(header(r, "Content-Type"), "application/x-www-form-urlencoded");
      assert.equal(r.body, "q=1'%20OR%201=1");
    }],
    ["json", { placements: ["json"] }, (r) => {
      assert.equal(header(r, "Content-Type"), "application/json");
      assert.deepEqual(JSON.parse(String(r.body)), { q: "1' OR 1=1" });
    }],
    ["xml", { placements: ["xml"], payload: "<b>&" }, (r) => {
      assert.equal(header(r, "Content-Type"), "application/xml");
      assert.match(String(r.body), /<request><q>&lt;b&gt;&amp;<\/q><\/request>/);
    }],
    ["multipart-field", { placements: ["multipart-field"] }, (r) => {
      assert.equal(header(r, "Content-Type"), `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`);
      assert.match(String(r.body), /name="q"\r\n\r\n1' OR 1=1\r\n/);
      assert.ok(String(r.body).endsWith(`--${MULTIPART_BOUNDARY}--\r\n`));
    }],
    ["multipart-filename", { placements: ["multipart-filename"], payload: "shell.php" }, (r) => {
      assert.match(String(r.body), /name="file"; filename="shell\.php"\r\n/);
    }],
  ];
  for (const [name, over, check] of placements) it(`placement ${name}`, () => check(one(over)));

  it("turns a structured request into one request, merging browser headers", () => {
    const c = attack({
      payload: undefined, placements: undefined,
      request: { method: "POST", path: "/post", headers: [["Accept", "*/*"], ["Content-Type", "text/plain"], ["Accept", "x/y"]], body: "hi" },
    });
    const [r] = expandCase(c);
    assert.equal(r!.id, "sqli-003/raw/none");
    assert.equal(r!.transport, "http");
    assert.equal(r!.method, "POST");
    assert.deepEqual(r!.headers.filter(([n]) => n === "Accept"), [["Accept", "*/*"], ["Accept", "x/y"]]);
    assert.equal(header(r!, "User-Agent"), BROWSER_USER_AGENT);
    assert.equal(r!.body, "hi");
  });

  it("turns raw text into a CRLF request with a {{host}} placeholder", () => {
    const c = attack({ payload: undefined, placements: undefined, request: { raw: "GET /get HTTP/1.1\nHost: {{host}}\nHost: other\n\n" } });
    const [r] = expandCase(c);
    assert.equal(r!.transport, "raw");
    assert.ok(r!.transport === "raw" && r!.raw === "GET /get HTTP/1.1\r\nHost: {{host}}\r\nHost: other\r\n\r\n");
    assert.equal(r!.method, "GET");
    assert.equal(r!.path, "/get");
    assert.deepEqual(r!.headers, [["Host", "{{host}}"], ["Host", "other"]]);
  });

  it("expandCases rejects duplicate request ids", () => {
    const c = attack({});
    assert.throws(() => expandCases([c, c]), /duplicate request id sqli-003\/query\/none/);
  });
});
