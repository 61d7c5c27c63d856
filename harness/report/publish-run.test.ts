import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fakeRecord } from "../engine/test-records.ts";
import { configFacts } from "../manifest/index.ts";
import type { RunContext } from "../engine/index.ts";
import { historyKey, publishRun } from "./publish-run.ts";
import { buildRunModel } from "./run-model.ts";

const context = (over: Partial<RunContext> = {}): RunContext => ({
  schemaVersion: 1, runId: "run-2", startedAt: "2026-12-04T00:00:00.000Z", target: { name: "local", url: "http://127.0.0.1:1", targetsFile: "targets.yaml" },
  manifest: { source: "m.yaml", pluginConfigSha256: "abc" }, stack: null, paranoia: 1, capabilities: [], config: configFacts({ directives_map: { d: ["SecRuleEngine On"] }, default_directives: "d" }),
  corpusFile: "", gaps: [], reportsDir: "", scratchDir: "", ...over,
});
const bypass = fakeRecord({ id: "xss-001/query/none", verdict: "allowed", judgement: "bypass", fails: true, message: "WAF bypass: xss in query reached the app (HTTP 200)" });

async function withReports(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "publish-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a run replaces every output of the last one; other commands' sections are carried, an earlier probe is not", async () => {
  await withReports(async (dir) => {
    await writeFile(join(dir, "summary.md"), "**local: the WAF is NOT blocking** (an earlier run)");
    await mkdir(join(dir, "http2"));
    await writeFile(join(dir, "http2", "summary.json"), "{}");
    await writeFile(join(dir, "latency-overhead.svg"), "<svg/>"); // npm run latency's: not this command's output
    const previous = { suites: {}, review: { headline: "kept" }, latency: { run: { kind: "probe" } }, grpc: { finding: "old" } };
    const model = buildRunModel({ context: context(), main: { records: [fakeRecord({}), bypass], recordless: [] }, previousSummary: previous });
    const published = await publishRun(model, dir, () => undefined, { allure: false });
    assert.equal(published.failed, false);
    const names = await readdir(dir);
    assert.ok(!names.includes("http2"), "an earlier WAF_HTTP=both pass does not survive");
    assert.ok(names.includes("latency-overhead.svg"));
    assert.ok(!names.some((n) => n.startsWith(".staging")));
    const md = await readFile(join(dir, "summary.md"), "utf8");
    assert.match(md.split("\n")[0]!, /1\/2 judged attacks blocked .* 1 bypassed, 0 accepted gaps; 1 attacks reached the app/);
    assert.match(md, /xss-001\/query\/none .* WAF bypass/);
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
    assert.deepEqual(summary.review, { headline: "kept" });
    assert.equal(summary.latency, undefined);
    assert.equal(summary.grpc, undefined);
    assert.equal(summary.counts.attacks.reachedApp, 1);
    assert.equal(summary.run.status, "completed");
  });
});

test("a render that throws still publishes a first screen saying the run failed; the last run's verdict is gone", async () => {
  await withReports(async (dir) => {
    await writeFile(join(dir, "summary.md"), "**local: 915/933 attacks blocked** (an earlier run)");
    await writeFile(join(dir, "index.html"), "<h1>an earlier run</h1>");
    process.env.WAFCHECK_INJECT_RENDER_ERROR = "overview";
    try {
      const model = buildRunModel({ context: context(), main: { records: [bypass], recordless: [] } });
      const published = await publishRun(model, dir, () => undefined, { allure: false });
      assert.equal(published.failed, true);
    } finally {
      delete process.env.WAFCHECK_INJECT_RENDER_ERROR;
    }
    const md = await readFile(join(dir, "summary.md"), "utf8");
    assert.match(md.split("\n")[0]!, /the RUN FAILED \(render: render error injected into overview/);
    assert.match(md.split("\n")[0]!, /0 of 1 judged attacks blocked/);
    assert.match(await readFile(join(dir, "index.html"), "utf8"), /RUN FAILED/);
    assert.equal(JSON.parse(await readFile(join(dir, "summary.json"), "utf8")).run.status, "failed");
    assert.ok(existsSync(join(dir, "allure-results")));
  });
});

test("history is kept per configuration: another pluginConfig or selection is another trend line", () => {
  const base = { target: { name: "local", url: "" }, manifest: { source: "m", pluginConfigSha256: "a" }, sections: {} };
  assert.equal(historyKey(base), historyKey({ ...base }));
  assert.notEqual(historyKey(base), historyKey({ ...base, manifest: { source: "m", pluginConfigSha256: "b" } }));
  assert.notEqual(historyKey(base), historyKey({ ...base, selection: "grep @sqli" }));
  assert.notEqual(historyKey(base), historyKey({ ...base, sections: { ftw: {} } }));
});
