/**
 * Prints the expanded corpus: counts by default, one JSON request per line with --jsonl.
 * Usage: npx tsx harness/payloads/list.ts [--jsonl] [dir ...]   (no dirs: payloads/ plus WAF_PAYLOADS)
 */
import { reportFatal } from "../errors.ts";
import { expandCases } from "./expand.ts";
import { loadCorpus, payloadDirs } from "./load.ts";
import { corpusStats } from "./stats.ts";

try {
  const args = process.argv.slice(2);
  const jsonl = args.includes("--jsonl");
  const dirs = args.filter((a) => a !== "--jsonl");
  const requests = expandCases(loadCorpus(dirs.length > 0 ? dirs : payloadDirs()));
  if (jsonl) for (const r of requests) process.stdout.write(`${JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v))}\n`);
  else console.log(JSON.stringify(corpusStats(requests), null, 2));
} catch (error) {
  reportFatal(error);
}
