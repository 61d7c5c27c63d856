// Legitimate traffic that looks dangerous to a naive filter (payloads/benign/*.yaml, expect: allow), grouped by file.
import { corpusRequests, defineCorpusTests } from "../corpus.ts";

defineCorpusTests("false-positives", corpusRequests("allow"));
