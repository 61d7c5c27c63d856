/**
 * Compares the corpus's `expect` / `paranoia` with what harness/payloads/calibrate measured.
 * Usage: npx tsx harness/payloads/list.ts --jsonl | (cd harness/payloads/calibrate && go run .) > /tmp/measured.tsv
 *        npx tsx harness/payloads/calibration.ts /tmp/measured.tsv [dir ...]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { reportFatal, UserError } from "../errors.ts";
import { type ExpandedRequest, expandCases } from "./expand.ts";
import { loadCorpus, payloadDirs } from "./load.ts";

/** Lowest paranoia level that blocked the request (0: none) and the CRS rules that matched; absent for raw requests. */
export type Measurement = { blockedAt: number; rules: number[] } | "raw";

/** Parses the calibrate tool's `id<TAB>level<TAB>rules` lines. */
export function parseMeasurements(tsv: string): Map<string, Measurement> {
  const out = new Map<string, Measurement>();
  for (const line of tsv.split("\n")) {
    if (line.trim() === "") continue;
    const [id = "", level = "", rules = ""] = line.split("\t");
    if (level === "raw") out.set(id, "raw");
    else if (/^[0-4]$/.test(level)) out.set(id, { blockedAt: Number(level), rules: rules.split(",").filter(Boolean).map(Number) });
    else throw new UserError(`measurement line for ${id}: level "${level}" is not 0-4 or raw`);
  }
  return out;
}

/** One line per request whose measured behaviour contradicts its case (raw and unmeasured requests are skipped). */
export function calibrationMismatches(requests: readonly ExpandedRequest[], measured: ReadonlyMap<string, Measurement>): string[] {
  const problems: string[] = [];
  for (const r of requests) {
    const m = measured.get(r.id);
    if (m === undefined || m === "raw") continue;
    const at = m.blockedAt === 0 ? "passes at every level" : `blocked from PL${m.blockedAt} (${m.rules.join(",")})`;
    if (r.expect === "block") {
      if (m.blockedAt === 0 || r.paranoia === undefined || m.blockedAt > r.paranoia)
        problems.push(`${r.id}: expects block from PL${r.paranoia ?? "?"}, ${at}`);
    } else if (m.blockedAt !== 0 && (r.paranoia === undefined || m.blockedAt <= r.paranoia)) {
      problems.push(`${r.id}: expects allow up to ${r.paranoia === undefined ? "PL4" : `PL${r.paranoia}`}, ${at}`);
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const [file, ...dirs] = process.argv.slice(2);
    if (!file) throw new UserError("usage: calibration.ts <measured.tsv> [dir ...]");
    const requests = expandCases(loadCorpus(dirs.length > 0 ? dirs : payloadDirs()));
    const measured = parseMeasurements(readFileSync(file, "utf8"));
    const problems = calibrationMismatches(requests, measured);
    for (const p of problems) console.log(p);
    console.log(`${requests.length} requests, ${measured.size} measured, ${problems.length} mismatches`);
    if (problems.length > 0) process.exitCode = 1;
  } catch (error) {
    reportFatal(error);
  }
}
