// npm run review on the real stack: one Envoy with both configurations. A candidate that stops blocking must be
// reported with every blocked attack as a new bypass (exit 1); a manifest against itself must show no change.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { VerdictsFile } from "../harness/report/index.ts";
import type { ReviewSection } from "../harness/review/index.ts";
import { example, ROOT, runCli, tempReports } from "./support/cli.ts";

// A slice of every suite: the seed rule's conformance cases, SQL injection attacks and benign requests.
const SLICE = ["--", "--grep", "conformance|\\bsqli-00[1-3]/|benign-api-01"];
const QUICK_COST = ["--shapes", "get_small", "--samples", "300", "--cell-budget", "3"];

test("review of detection-only.yaml: every attack the base blocked is a new bypass, exit 1", async () => {
  const reports = await tempReports();
  const run = await runCli("review", { WAF_REPORTS_DIR: reports }, ["--candidate", example("detection-only.yaml"), "--no-cost", ...SLICE]);
  assert.equal(run.code, 1, run.stderr.slice(-2000));
  const review = JSON.parse(readFileSync(join(reports, "review.json"), "utf8")) as ReviewSection;
  const base = JSON.parse(readFileSync(join(reports, "review", "base", "verdicts.json"), "utf8")) as VerdictsFile;
  const blockedAttacks = Object.entries(base.requests).filter(([, r]) => r.judgement === "true-positive").map(([id]) => id).sort();
  assert.ok(blockedAttacks.length > 10, `the slice has blocked attacks (${blockedAttacks.length})`);
  assert.deepEqual(review.newBypasses.map((e) => e.id).sort(), blockedAttacks);
  assert.equal(review.verdictChanges["new-false-positive"], 0);
  assert.match(run.stdout, new RegExp(`NOT ACCEPTABLE: ${blockedAttacks.length} new bypasses`));
  const md = readFileSync(join(reports, "review.md"), "utf8");
  assert.match(md.split("\n")[0]!, /^\*\*Review of .*detection-only\.yaml against .*wasm-plugin\.yaml: NOT ACCEPTABLE/);
  assert.match(review.newBypasses[0]!.reproducer ?? "", /curl|nc/, "each finding can be replayed");
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  assert.equal(summary.review.newBypasses.length, blockedAttacks.length);
});

test("review of a manifest against itself: no verdict change, latency and CPU deltas printed with their intervals", async () => {
  const reports = await tempReports();
  const manifest = join(ROOT, "envoy-local/wasm-plugin.yaml");
  const run = await runCli("review", { WAF_REPORTS_DIR: reports }, ["--candidate", manifest, "--base", manifest, ...QUICK_COST, ...SLICE]);
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const review = JSON.parse(readFileSync(join(reports, "review.json"), "utf8")) as ReviewSection;
  const c = review.verdictChanges;
  assert.equal(c["new-bypass"] + c["new-false-positive"] + c["new-block"] + c["fixed-false-positive"] + c["verdict-changed"], 0);
  assert.ok(c.compared > 30);
  assert.match(run.stdout, /no verdict change in \d+ requests/);
  const [latency] = review.latency!;
  assert.equal(latency!.shape, "get_small");
  assert.match(run.stderr, /cost get_small: p50 [+-]?[\d.]+ ms \[-?[\d.]+, -?[\d.]+\] \(±[\d.]+ % of base [\d.]+ ms\), CPU ×[\d.]+ \[[\d.]+, [\d.]+\] \(±[\d.]+ %\); \d+ rounds/);
  // Whether the intervals hold "no difference" is a measurement (95 % intervals miss 1 time in 20), not asserted here.
  assert.ok(review.cpu![0]!.ratioCi95, "the CPU ratio comes with its interval");
  assert.ok(review.costPrecision, "the review states what its cost figures can claim");
  const [cpu] = review.cpu!;
  assert.ok(cpu!.baseMsPer1k! > cpu!.noWafMsPer1k!, "the WAF costs Envoy CPU beyond Envoy's own");
  assert.ok(review.rss!.shared && review.rss!.baseBytes > 100 * 2 ** 20);
  assert.match(readFileSync(join(reports, "review.md"), "utf8"), /not estimable \(n = \d+\)/, "p99 of 300 samples is not claimed");
});

test("an Envoy the plug-in does not load on is a finding with Envoy's own words: --envoy-matrix and --candidate-envoy", async () => {
  const reports = await tempReports();
  const matrix = await runCli("review", { WAF_REPORTS_DIR: reports }, ["--envoy-matrix", "1.38.2,1.40.0"], 600_000);
  assert.equal(matrix.code, 1, matrix.stderr.slice(-2000));
  assert.match(matrix.stdout, /\| 1\.38\.2 \| \*\*no\*\* \| plug-in does not load \| - \| `Failed to load Wasm module due to a missing import: wasi_snapshot_preview1\.fd_filestat_set_size` \|/);
  assert.match(matrix.stdout, /\| 1\.40\.0 \| yes \| pass \(normal 200, banned 403\) \| \+[\d.]+ ms \(\d+\) \| - \|/);
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  assert.deepEqual(summary.envoyMatrix.probes.map((p: { version: string; loads: boolean }) => [p.version, p.loads]), [["1.38.2", false], ["1.40.0", true]]);

  const upgrade = await runCli("review", { WAF_REPORTS_DIR: reports }, ["--candidate", join(ROOT, "envoy-local/wasm-plugin.yaml"), "--candidate-envoy", "1.38.2", "--no-cost", "--", "--grep", "conformance"]);
  assert.equal(upgrade.code, 1, upgrade.stderr.slice(-2000));
  assert.match(upgrade.stdout, /NOT ACCEPTABLE: the plug-in does not load on Envoy 1\.38\.2: Failed to load Wasm module due to a missing import/);
  assert.match(readFileSync(join(reports, "review.md"), "utf8"), /no request was sent to the candidate/);
});
