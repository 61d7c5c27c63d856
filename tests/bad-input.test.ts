// Bad input → one clear line naming the problem, a non-zero exit, and earlier reports untouched.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { ROOT, runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

const seed = readFileSync(join(ROOT, "envoy-local/wasm-plugin.yaml"), "utf8");

async function manifestFile(text: string): Promise<string> {
  const file = join(await tempDir("wafcheck-manifest-"), "wasm-plugin.yaml");
  await writeFile(file, text);
  return file;
}

const cases: Array<{ what: string; env: () => Promise<Record<string, string>>; line: RegExp; code?: number }> = [
  {
    what: "a manifest with a typo",
    env: async () => ({ WAF_PLUGIN: await manifestFile(seed.replace("directives_map:", "directive_map:")) }),
    line: /wasm-plugin\.yaml: spec\.pluginConfig: Unrecognized key: "directive_map" \(did you mean directives_map\?\)/,
  },
  {
    what: "a manifest that does not exist",
    env: async () => ({ WAF_PLUGIN: "/nonexistent/wasm-plugin.yaml" }),
    line: /WAF_PLUGIN=.*nonexistent\/wasm-plugin\.yaml: cannot read the manifest \(ENOENT\)/,
  },
  {
    what: "an unreadable wasm",
    env: async () => ({ WAF_WASM: "/nonexistent/plugin.wasm" }),
    line: /WAF_WASM=\/nonexistent\/plugin\.wasm: cannot read the plug-in: ENOENT/,
  },
  {
    what: "a file that is not wasm",
    env: async () => ({ WAF_WASM: join(ROOT, "package.json") }),
    line: /package\.json is not a WebAssembly module/,
  },
  {
    what: "a WAF_PARANOIA out of range",
    env: async () => ({ WAF_PARANOIA: "7" }),
    line: /WAF_PARANOIA=7: /,
  },
  {
    what: "no Docker engine",
    env: async () => ({ DOCKER_HOST: "unix:///nonexistent/docker.sock" }),
    line: /no Docker engine reachable/,
    code: 4,
  },
  {
    what: "invalid SecLang (Coraza refuses the directives when Envoy loads it)",
    env: async () => ({ WAF_PLUGIN: await manifestFile(seed.replace("@streq baned", "@streqq baned")) }),
    line: /wasm-plugin\.yaml: the Coraza plug-in rejected the directives: .*operator streqq not found/,
  },
  {
    what: "a WAF_OPENAPI file that does not exist",
    env: async () => ({ WAF_OPENAPI: "/nonexistent/api.yaml" }),
    line: /WAF_OPENAPI: \/nonexistent\/api\.yaml: file not found/,
  },
  {
    what: "a Swagger 2.0 description in WAF_OPENAPI",
    env: async () => ({ WAF_OPENAPI: join(ROOT, "node_modules/@readme/oas-examples/2.0/json/petstore.json") }),
    line: /WAF_OPENAPI: .*petstore\.json: openapi: swagger 2\.0 \(wafcheck reads OpenAPI 3\.0 and 3\.1 descriptions\)/,
  },
];

for (const c of cases) {
  test(`npm run waf with ${c.what}: one line, exit ${c.code ?? 2}, earlier reports kept`, async () => {
    const reports = await tempReports();
    const earlier: Record<string, string> = {
      "summary.json": '{"schemaVersion":1,"earlier":true}\n',
      "junit.xml": "<testsuites earlier=\"true\"/>\n",
      "allure-report/index.html": "<html>earlier</html>\n",
    };
    mkdirSync(join(reports, "allure-report"));
    for (const [file, text] of Object.entries(earlier)) writeFileSync(join(reports, file), text);
    const run = await runCli("waf", { WAF_REPORTS_DIR: reports, ...(await c.env()) });
    assert.equal(run.code, c.code ?? 2, run.stderr);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("wafcheck:"));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, c.line);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    for (const [file, text] of Object.entries(earlier)) assert.equal(readFileSync(join(reports, file), "utf8"), text, `${file} kept`);
  });
}

test("an exception that names no case: one line naming file, entry and the near id, exit 2 (exceptions.yml is read too)", async () => {
  const extra = await tempDir("wafcheck-payloads-");
  await writeFile(join(extra, "cases.yaml"), readFileSync(join(ROOT, "payloads/rfi.yaml"), "utf8").replaceAll("rfi-0", "team-rfi-0"));
  await writeFile(join(extra, "exceptions.yml"), "exceptions:\n  - id: team-rfi-01\n    reason: a reason that is long enough\n    date: 2026-11-29\n");
  const reports = await tempReports();
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_PAYLOADS: extra });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /wafcheck: .*exceptions\.yml: exceptions\[0\]\.id "team-rfi-01" names no case or request of the corpus \(did you mean "team-rfi-001"\?\)/);
});

test("a corrupt summary.json: one line, exit 2, the file left as it was, nothing started", async () => {
  const reports = await tempReports();
  writeFileSync(join(reports, "summary.json"), "{ half a file");
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /wafcheck: .*summary\.json is corrupt .*left as it is/);
  assert.doesNotMatch(run.stderr, /starting Envoy/);
  assert.equal(readFileSync(join(reports, "summary.json"), "utf8"), "{ half a file");
});

test("setup-docker names an unreachable DOCKER_HOST in one line", async () => {
  const run = await execa("bash", [join(ROOT, "scripts/setup-docker.sh")], { env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" }, reject: false });
  assert.notEqual(run.exitCode, 0);
  assert.equal(String(run.stderr).trim(), "wafcheck: no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock (unset it to use the default socket)");
});

test("an unreadable WAF log makes every request through the WAF an infrastructure error, named, exit 1", async () => {
  const reports = await tempReports();
  const child = execa(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/waf.ts"), "--grep", "conformance"], {
    cwd: ROOT,
    env: { WAF_REPORTS_DIR: reports, WAF_LATENCY_PROBE: "off", CI: "true" },
    reject: false,
  });
  let removed = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    // The stack is up and its log exists; the suites have not started: take the log away.
    if (removed || !chunk.toString().includes("stack up")) return;
    const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith("wafcheck-envoy-")).map((d) => join(tmpdir(), d, "envoy.log"));
    const newest = dirs.filter((f) => existsSync(f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (newest) rmSync((removed = newest));
  });
  const run = await child;
  assert.ok(removed, "found the run's Envoy log");
  assert.equal(run.exitCode, 1, String(run.stderr).slice(-2000));
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  assert.deepEqual(summary.suites.conformance, { passed: 1, failed: 0, skipped: 0, infra: 9 }, "only the request sent straight to httpbin needs no WAF log");
  assert.match(String(run.stdout), /infrastructure error, not a WAF verdict .*WAF log .*envoy\.log unreadable/);
});
