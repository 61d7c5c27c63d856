// Legitimate traffic that looks dangerous to a naive filter (payloads/benign/*.yaml, expect: allow), one test per OWASP category.
import { corpusGroups, corpusRequests, groupTest } from "../corpus.ts";
import { test } from "../fixtures.ts";

for (const group of corpusGroups("false-positives", await corpusRequests("allow"))) test(group.title, { tag: group.tags }, groupTest(group.title, group.requests));
