// Evasion: the payload sits after 128 KiB+ of harmless filler, past Coraza's request-body limit
// (SecRequestBodyLimit 131072 in @recommended-conf). Expected here: the oversized body is refused (413, counted
// as rejected, not inspected) or the payload is still seen (403); it must never reach the app.
import { browserHeaders, type ExpandedRequest } from "../../harness/payloads/index.ts";
import { corpusGroups, groupTest } from "../corpus.ts";
import { test } from "../fixtures.ts";

const FILLER = "lorem ipsum dolor sit amet ".repeat(5_400); // ≈ 145 KB

const request: ExpandedRequest = {
  id: "evasion-body-limit/form/none",
  caseId: "evasion-body-limit",
  title: "XSS payload after 145 KB of filler, past the request-body limit",
  class: "protocol",
  owasp2025: "A05:2025",
  owasp2021: "A03:2021",
  cwe: "CWE-79",
  severity: "critical",
  expect: "block",
  paranoia: 1,
  placement: "form",
  encoding: "none",
  crsRules: [],
  transport: "http",
  method: "POST",
  path: "/post",
  headers: [...browserHeaders(), ["Content-Type", "application/x-www-form-urlencoded"]],
  body: `notes=${encodeURIComponent(FILLER)}&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
};

for (const group of corpusGroups("owasp", [request])) test(`${group.title}: body-limit evasion`, { tag: group.tags }, groupTest(group.title, group.requests));
