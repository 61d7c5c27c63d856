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
    ["json-nested", { placements: ["json-nested"], param: "street" }, (r) => {
      assert.equal(r.method, "POST");
      assert.equal(header(r, "Content-Type"), "application/json");
      assert.deepEqual(JSON.parse(String(r.body)), { order: { customer: { address: { street: "1' OR 1=1" } } } });
    }],
    ["json-array", { placements: ["json-array"] }, (r) => assert.deepEqual(JSON.parse(String(r.body)), { items: ["SKU-1001", "1' OR 1=1", "SKU-1003"] })],
    ["json-key", { placements: ["json-key"], payload: 'a"b\\c' }, (r) => assert.deepEqual(JSON.parse(String(r.body)), { 'a"b\\c': "1" })],
    ["graphql-query", { placements: ["graphql-query"], payload: 'x" } \\ {\n' }, (r) => {
      assert.equal(r.path, "/post");
      assert.equal(header(r, "Content-Type"), "application/json");
      const { query } = JSON.parse(String(r.body)) as { query: string };
      // The payload is one GraphQL string literal: quote, backslash and line end escaped for GraphQL, then for JSON.
      assert.equal(query, 'query { search(q: "x\\" } \\\\ {\\n") { id title } }');
      assert.equal(String(r.body), '{"query":"query { search(q: \\"x\\\\\\" } \\\\\\\\ {\\\\n\\") { id title } }"}');
    }],
    ["graphql-query with param", { placements: ["graphql-query"], param: "name" }, (r) =>
      assert.equal((JSON.parse(String(r.body)) as { query: string }).query, `query { search(name: "1' OR 1=1") { id title } }`)],
    ["graphql-query whole", { placements: ["graphql-query"], whole: true, payload: "{ __schema { types { name } } }" }, (r) =>
      assert.deepEqual(JSON.parse(String(r.body)), { query: "{ __schema { types { name } } }" })],
    ["graphql-variables", { placements: ["graphql-variables"], param: "term" }, (r) =>
      assert.deepEqual(JSON.parse(String(r.body)), {
        operationName: "Search",
        query: "query Search($term: String!) { search(term: $term) { id title } }",
        variables: { term: "1' OR 1=1" },
      })],
  ];
  for (const [name, over, check] of placements) it(`placement ${name}`, () => check(one(over)));

  it("rejects a param that is not a GraphQL name with a graphql placement", () => {
    assert.throws(() => attack({ placements: ["graphql-variables"], param: "order-id" }), /must be a GraphQL name/);
    assert.doesNotThrow(() => attack({ placements: ["json-key"], param: "order-id" }));
  });

  it("placement websocket: an upgrade GET to /websocket/echo, payload in the query and Sec-WebSocket-Protocol, sent raw", () => {
    const r = one({ placements: ["websocket"], payload: "a b\r\nX-Injected: 1" });
    assert.equal(r.id, "sqli-003/websocket/none");
    assert.equal(r.transport, "raw");
    assert.equal(r.method, "GET");
    assert.equal(r.path, "/websocket/echo?q=a%20b%0D%0AX-Injected:%201");
    assert.equal(header(r, "Upgrade"), "websocket");
    assert.equal(header(r, "Connection"), "Upgrade");
    assert.equal(header(r, "Sec-WebSocket-Version"), "13");
    assert.equal(Buffer.from(header(r, "Sec-WebSocket-Key")!, "base64").length, 16);
    // Escaped as the header placement escapes: no line break can end the header early.
    assert.equal(header(r, "Sec-WebSocket-Protocol"), "a b%0D%0AX-Injected: 1");
    assert.equal(header(r, "Host"), undefined);
    assert.ok(r.transport === "raw");
    const lines = r.raw.split("\r\n");
    assert.equal(lines[0], "GET /websocket/echo?q=a%20b%0D%0AX-Injected:%201 HTTP/1.1");
    assert.equal(lines[1], "Host: {{host}}");
    assert.ok(r.raw.endsWith("\r\n\r\n"));
    assert.equal(r.raw.split("\r\n\r\n").length, 2, "one header block, no body");
    assert.ok(lines.includes("Sec-WebSocket-Protocol: a b%0D%0AX-Injected: 1"));
    assert.equal(one({ placements: ["websocket"], whole: true, payload: "a=1&b=2" }).path, "/websocket/echo?a=1&b=2");
  });

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
