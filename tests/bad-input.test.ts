// Bad input → one clear line naming the problem, a non-zero exit, and earlier reports untouched.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { ROOT, runCli, tempReports } from "./support/cli.ts";

const seed = readFileSync(join(ROOT, "envoy-local/wasm-plugin.yaml"), "utf8");

async function manifestFile(text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "wafcheck-manifest-")), "wasm-plugin.yaml");
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

test("setup-docker names an unreachable DOCKER_HOST in one line", async () => {
  const run = await execa("bash", [join(ROOT, "scripts/setup-docker.sh")], { env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" }, reject: false });
  assert.notEqual(run.exitCode, 0);
  assert.equal(String(run.stderr).trim(), "wafcheck: no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock (unset it to use the default socket)");
});
