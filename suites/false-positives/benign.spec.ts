// Legitimate traffic that looks dangerous to a naive filter (payloads/benign/*.yaml, expect: allow).
import { corpusRequests, defineCorpusTests } from "../corpus.ts";

defineCorpusTests(corpusRequests("allow"));
