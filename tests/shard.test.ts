// A run split with Playwright's --shard and merged from the shards' blob reports (npm run waf:merge) reports
// exactly what the same run unsharded reports: the same per-suite counts, detection figures and Allure results.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { loadManifest } from "../harness/manifest/index.ts";
import { startLocalStack } from "../harness/stack/index.ts";
import { ROOT, runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

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

  const blobs = await tempDir("wafcheck-blobs-");
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
  assert.match(readFileSync(join(merged, "summary.md"), "utf8").split("\n")[0]!, /judged attacks blocked/);
});

test("a gateway's run split in 2 shards (HTTP/2, half the cap each) and merged: drift against the local run computed once over every request", async () => {
  // The gateway: a stack of the same manifest reached through its TLS listener, as a remote target.
  const gateway = await startLocalStack({ manifest: await loadManifest(join(ROOT, "envoy-local/wasm-plugin.yaml")) });
  try {
    const local = await tempReports();
    assert.equal((await runCli("waf", { ...ENV, WAF_REPORTS_DIR: local }, SLICE)).code, 0);
    const targets = join(await tempDir("wafcheck-targets-"), "targets.yaml");
    await writeFile(
      targets,
      `targets:\n  standin:\n    url: ${gateway.tls.gatewayUrl}\n    host: app.wafcheck.test\n    allowlist: [127.0.0.1, app.wafcheck.test]\n    rateLimit: 60\n    concurrency: 2\n    tls:\n      ca: ${gateway.tls.caFile}\n`,
    );
    const remote = { ...ENV, WAF_TARGET: "standin", WAF_TARGETS_FILE: targets, WAF_DRIFT: "off", WAF_HTTP: "2" };
    const blobs = await tempDir("wafcheck-blobs-");
    for (const shard of ["1/2", "2/2"]) {
      const dir = await tempReports();
      const run = await runCli("waf", { ...remote, WAF_REPORTS_DIR: dir }, [...SLICE, `--shard=${shard}`]);
      assert.equal(run.code, 0, run.stderr.slice(-1500));
      assert.match(run.stderr, /2 in flight \(1 worker\(s\); this shard takes 1\/2 of both\)/, "a shard gets half the cap: one worker");
      const zip = readdirSync(join(dir, "blob-report")).find((f) => f.endsWith(".zip"))!;
      copyFileSync(join(dir, "blob-report", zip), join(blobs, `${shard.replace("/", "-of-")}-${zip}`));
    }
    const merged = await tempReports();
    const merge = await runCli("merge", { WAF_REPORTS_DIR: merged, WAF_DRIFT_BASELINE: join(local, "verdicts.json") }, [blobs]);
    assert.equal(merge.code, 0, merge.stderr.slice(-1500));
    const summary = summaryOf(merged);
    const localCount = Object.keys(JSON.parse(readFileSync(join(local, "verdicts.json"), "utf8")).requests).length;
    assert.equal(summary.drift.target, "standin");
    // Every request of both shards compared; the local run's upstream-only checks have no remote twin.
    assert.equal(summary.drift.compared + summary.drift.onlyLocal.length, localCount, JSON.stringify(summary.drift.onlyLocal));
    assert.ok(summary.drift.onlyLocal.length <= 2 && summary.drift.onlyRemote.length === 0, JSON.stringify(summary.drift));
    assert.deepEqual(summary.drift.cases, []);
    const requests = Object.values(JSON.parse(readFileSync(join(merged, "verdicts.json"), "utf8")).requests) as Array<{ protocol?: string; reproducer: string }>;
    assert.ok(requests.filter((r) => !r.reproducer.startsWith("printf")).every((r) => r.protocol === "HTTP/2"), "the gateway answered over HTTP/2");
  } finally {
    await gateway.stop();
  }
});
