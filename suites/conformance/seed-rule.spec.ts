// The seed rule from the tutorial: `SecRule REQUEST_HEADERS:x-user-type "@streq baned" "id:101,phase:1,t:lowercase,deny"`.
// Each request goes through the same engine (and becomes a record) as the corpus.
import type { EngineRequest } from "../../harness/engine/index.ts";
import { groupTest } from "../corpus.ts";
import { test } from "../fixtures.ts";

interface Case {
  id: string;
  title: string;
  method: string;
  header?: string;
  expect: "block" | "allow";
  severity: "critical" | "normal";
}

const BROWSER_HEADERS: Array<[string, string]> = [
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"],
  ["accept", "application/json"],
];

const cases: Case[] = [
  { id: "no-header", title: "GET without the header passes", method: "GET", expect: "allow", severity: "normal" },
  { id: "banned", title: "x-user-type: baned is blocked", method: "GET", header: "baned", expect: "block", severity: "critical" },
  { id: "banned-upper", title: "BANED is blocked (t:lowercase)", method: "GET", header: "BANED", expect: "block", severity: "critical" },
  { id: "banned-capitalised", title: "Baned is blocked (t:lowercase)", method: "GET", header: "Baned", expect: "block", severity: "critical" },
  { id: "near-miss-banned", title: "banned (a near miss) passes", method: "GET", header: "banned", expect: "allow", severity: "normal" },
  { id: "near-miss-suffix", title: "baned-x (a near miss) passes", method: "GET", header: "baned-x", expect: "allow", severity: "normal" },
  { id: "banned-post", title: "POST with the banned header is blocked", method: "POST", header: "baned", expect: "block", severity: "critical" },
  { id: "banned-put", title: "PUT with the banned header is blocked", method: "PUT", header: "baned", expect: "block", severity: "critical" },
  { id: "banned-head", title: "HEAD with the banned header is blocked", method: "HEAD", header: "baned", expect: "block", severity: "critical" },
];

const GROUP = "conformance: seed rule 101 (x-user-type)";

function request(c: Case, via: "gateway" | "upstream" = "gateway"): EngineRequest {
  const path = c.method === "GET" || c.method === "HEAD" ? "/get" : `/${c.method.toLowerCase()}`;
  const headers: Array<[string, string]> = [...BROWSER_HEADERS];
  if (c.header !== undefined) headers.push(["x-user-type", c.header]);
  const body = c.method === "POST" || c.method === "PUT" ? JSON.stringify({ order: 42 }) : undefined;
  if (body) headers.push(["content-type", "application/json"]);
  return {
    id: `conformance/${c.id}`, method: c.method, path, headers, body, suite: "conformance", group: GROUP, transport: "http", via,
    caseId: `conformance/${c.id}`, title: c.title, class: "conformance", owasp2025: "conformance", owasp2021: "-", cwe: "-",
    severity: c.severity, expect: c.expect, placement: "header:x-user-type", encoding: "none", crsRules: c.expect === "block" ? [101] : [],
    // An allowed request must be answered by httpbin itself (its 200), not by some other page.
    ...(c.expect === "allow" && { expectStatus: 200 }),
  };
}

// One test for all cases (a failing test costs a worker restart); each request still gets its own record and result,
// and --grep selects single cases by id (e.g. --grep banned-upper).
const requests = [
  ...cases.map((c) => request(c)),
  // Proves that the 403 through the gateway comes from the WAF, not from httpbin (local stacks only).
  request({ id: "direct-upstream", title: "httpbin answers the banned header itself (200)", method: "GET", header: "baned", expect: "allow", severity: "critical" }, "upstream"),
];
const title = `${GROUP}: ${requests.length} requests [${requests.map((r) => r.id.replace("conformance/", "")).join(" ")}]`;
test(title, { tag: ["@conformance"] }, groupTest(title, requests));
