// OWASP Top 10 attacks (payloads/*.yaml, expect: block), one test per placement × encoding.
import { corpusRequests, defineCorpusTests } from "../corpus.ts";

defineCorpusTests(corpusRequests("block"));
