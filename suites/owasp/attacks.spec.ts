// OWASP Top 10 attacks (payloads/*.yaml, expect: block): every placement × encoding of every case, grouped by file and class.
import { corpusRequests, defineCorpusTests } from "../corpus.ts";

defineCorpusTests("owasp", corpusRequests("block"));
