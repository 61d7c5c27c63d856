// The seed rule from the tutorial: `SecRule REQUEST_HEADERS:x-user-type "@streq baned" "id:101,phase:1,t:lowercase,deny"`.
import * as allure from "allure-js-commons";
import { expect, test } from "../fixtures.ts";
import type { RequestSpec } from "../../harness/http/request.ts";
import type { Verdict } from "../../harness/verdict/verdict.ts";

interface Case {
  id: string;
  title: string;
  method: string;
  header?: string;
  expected: Verdict;
  severity: "critical" | "normal";
}

const BROWSER_HEADERS: Array<[string, string]> = [
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"],
  ["accept", "application/json"],
];

const cases: Case[] = [
  { id: "no-header", title: "GET without the header passes", method: "GET", expected: "allowed", severity: "normal" },
  { id: "banned", title: "x-user-type: baned is blocked", method: "GET", header: "baned", expected: "blocked", severity: "critical" },
  { id: "banned-upper", title: "BANED is blocked (t:lowercase)", method: "GET", header: "BANED", expected: "blocked", severity: "critical" },
  { id: "banned-capitalised", title: "Baned is blocked (t:lowercase)", method: "GET", header: "Baned", expected: "blocked", severity: "critical" },
  { id: "near-miss-banned", title: "banned (a near miss) passes", method: "GET", header: "banned", expected: "allowed", severity: "normal" },
  { id: "near-miss-suffix", title: "baned-x (a near miss) passes", method: "GET", header: "baned-x", expected: "allowed", severity: "normal" },
  { id: "banned-post", title: "POST with the banned header is blocked", method: "POST", header: "baned", expected: "blocked", severity: "critical" },
  { id: "banned-put", title: "PUT with the banned header is blocked", method: "PUT", header: "baned", expected: "blocked", severity: "critical" },
  { id: "banned-head", title: "HEAD with the banned header is blocked", method: "HEAD", header: "baned", expected: "blocked", severity: "critical" },
];

function request(c: Case): RequestSpec {
  const path = c.method === "GET" || c.method === "HEAD" ? "/get" : `/${c.method.toLowerCase()}`;
  const headers: Array<[string, string]> = [...BROWSER_HEADERS];
  if (c.header !== undefined) headers.push(["x-user-type", c.header]);
  const body = c.method === "POST" || c.method === "PUT" ? JSON.stringify({ order: 42 }) : undefined;
  if (body) headers.push(["content-type", "application/json"]);
  return { id: `conformance/${c.id}`, method: c.method, path, headers, body };
}

test.describe("conformance: seed rule 101 (x-user-type)", () => {
  for (const c of cases) {
    test(`${c.title} [${c.id}]`, async ({ waf }) => {
      await allure.epic("Conformance");
      await allure.feature("Seed rule 101");
      await allure.severity(c.severity);
      await allure.parameter("x-user-type", c.header ?? "(absent)");
      await allure.parameter("method", c.method);
      const exchange = await waf.send(request(c));
      waf.expectVerdict(exchange, c.expected);
      if (c.expected === "allowed" && exchange.outcome.kind === "response" && c.method === "GET") {
        // The answer must be httpbin's echo, not some other page.
        expect(exchange.outcome.status).toBe(200);
        expect(exchange.outcome.bodyHead).toContain('"headers"');
      }
    });
  }

  test("the upstream itself does not block the header [direct-upstream]", async ({ waf, target }) => {
    test.skip(!target.upstreamUrl, "remote targets have no direct upstream URL");
    await allure.epic("Conformance");
    await allure.feature("Seed rule 101");
    await allure.severity("critical");
    const exchange = await waf.send(request({ id: "direct-upstream", title: "", method: "GET", header: "baned", expected: "allowed", severity: "critical" }), {
      via: "upstream",
    });
    // Proves that the 403 through the gateway comes from the WAF, not from httpbin.
    waf.expectVerdict(exchange, "allowed");
    expect(exchange.outcome.kind === "response" && exchange.outcome.status, "httpbin answers 200 itself").toBe(200);
  });
});
