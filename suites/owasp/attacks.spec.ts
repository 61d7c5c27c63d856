// OWASP Top 10 attacks (payloads/*.yaml, expect: block): every placement × encoding of every case, one test per OWASP category.
import { corpusGroups, corpusRequests, groupTest } from "../corpus.ts";
import { test } from "../fixtures.ts";

for (const group of corpusGroups("owasp", await corpusRequests("block"))) test(group.title, { tag: group.tags }, groupTest(group.title, group.requests));
