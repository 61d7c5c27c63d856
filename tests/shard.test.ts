// A run split with Playwright's --shard and merged from the shards' blob reports (npm run waf:merge) reports
// exactly what the same run unsharded reports: the same per-suite counts, detection figures and Allure results.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempReports } from "./support/cli.ts";

const SLICE = ["--", "--grep", "conformance|\\bsqli-00[1-3]/|\\bxss-00[1-2]/|benign-api-01"];
const ENV = { WAF_LATENCY_PROBE: "off" };

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
/** The records' Allure results (one per request), by id. */
const allureIds = (dir: string) =>
  readdirSync(join(dir, "allure-results"))
    .filter((f) => f.endsWith("-result.json"))
    .map((f) => JSON.parse(readFileSync(join(dir, "allure-results", f), "utf8")) as { historyId: string })
    .map((r) => r.historyId)
    .filter((id) => !id.startsWith("wafcheck:overview"))
    .sort();

test("two shards merged from their blob reports give the unsharded run's counts and Allure results", async () => {
  const whole = await tempReports();
  const one = await runCli("waf", { ...ENV, WAF_REPORTS_DIR: whole }, SLICE);
  assert.equal(one.code, 0, one.stderr.slice(-1500));

  const blobs = await mkdtemp(join(tmpdir(), "wafcheck-blobs-"));
  for (const shard of ["1/2", "2/2"]) {
    const dir = await tempReports();
    const run = await runCli("waf", { ...ENV, WAF_REPORTS_DIR: dir }, [...SLICE, `--shard=${shard}`]);
    assert.equal(run.code, 0, run.stderr.slice(-1500));
    const zips = readdirSync(join(dir, "blob-report")).filter((f) => f.endsWith(".zip"));
    assert.equal(zips.length, 1, `shard ${shard}: one blob report`);
    mkdirSync(blobs, { recursive: true });
    copyFileSync(join(dir, "blob-report", zips[0]!), join(blobs, `shard-${shard.replace("/", "-of-")}-${zips[0]}`));
    assert.ok(summaryOf(dir).run.records < summaryOf(whole).run.records, `shard ${shard} ran part of the requests`);
  }

  const merged = await tempReports();
  const merge = await runCli("merge", { WAF_REPORTS_DIR: merged }, [blobs]);
  assert.equal(merge.code, 0, merge.stderr.slice(-1500));
  const [a, b] = [summaryOf(whole), summaryOf(merged)];
  assert.deepEqual(b.suites, a.suites);
  assert.equal(b.run.records, a.run.records);
  assert.deepEqual(b.detection.byOwasp2025, a.detection.byOwasp2025);
  assert.deepEqual([b.detection.blocked, b.detection.attacks, b.detection.falsePositives, b.detection.benign], [a.detection.blocked, a.detection.attacks, a.detection.falsePositives, a.detection.benign]);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(merged, "verdicts.json"), "utf8")).requests), Object.keys(JSON.parse(readFileSync(join(whole, "verdicts.json"), "utf8")).requests));
  assert.deepEqual(allureIds(merged), allureIds(whole));
  assert.match(readFileSync(join(merged, "summary.md"), "utf8").split("\n")[0]!, /attacks blocked/);
});
