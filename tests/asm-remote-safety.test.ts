// Remote safety and the asm CLI's refusals: nothing leaves for a host off the allowlist (a local TCP listener
// counts connections), and missing tools or credentials are one clear line with a non-zero exit.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { pullSecretManifest } from "../harness/asm/index.ts";
import { runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

let server: Server;
let port = 0;
let connections = 0;

before(async () => {
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function targetsFile(): Promise<string> {
  const file = join(await tempDir("wafcheck-targets-"), "targets.yaml");
  await writeFile(
    file,
    [
      "targets:",
      "  off-url:", // localhost reaches the listener, but only 127.0.0.1 is allowed
      `    url: http://localhost:${port}`,
      "    host: app.example.test",
      "    allowlist: [127.0.0.1, app.example.test]",
      "  off-host:",
      `    url: http://127.0.0.1:${port}`,
      "    host: evil.example.test",
      "    allowlist: [127.0.0.1]",
      "",
    ].join("\n"),
  );
  return file;
}

for (const [name, offender, extra] of [
  ["off-url", "localhost", []],
  ["off-host", "evil.example.test", []],
  ["off-host", "evil.example.test", ["--dry-run"]],
] as const) {
  test(`WAF_TARGET=${name} ${extra.join(" ")}: refused before anything is sent`, async () => {
    const reports = await tempReports();
    connections = 0;
    const run = await runCli("waf", { WAF_TARGET: name, WAF_TARGETS_FILE: await targetsFile(), WAF_REPORTS_DIR: reports }, [...extra], 60_000);
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("wafcheck:"));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`target ${name}: ${offender.replaceAll(".", "\\.")} is not on its allowlist .*refusing to send`));
    assert.equal(connections, 0, "no connection reached the listener");
    assert.ok(!existsSync(join(reports, "summary.json")), "nothing written");
  });
}

test("a target without an allowlist is refused by the targets file schema", async () => {
  const file = join(await tempDir("wafcheck-targets-"), "targets.yaml");
  await writeFile(file, `targets:\n  bare:\n    url: http://127.0.0.1:${port}\n`);
  connections = 0;
  const run = await runCli("waf", { WAF_TARGET: "bare", WAF_TARGETS_FILE: file, WAF_REPORTS_DIR: await tempReports() }, [], 60_000);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /targets\.bare\.allowlist: /);
  assert.equal(connections, 0);
});

/** A PATH holding only node: no docker, no kubectl. */
async function nodeOnlyPath(): Promise<string> {
  const dir = await tempDir("wafcheck-path-");
  await symlink(process.execPath, join(dir, "node"));
  return dir;
}

const PASSWORD = "never-print-this-9f3b";
const cases: Array<{ what: string; args: string[]; env: () => Promise<Record<string, string>>; line: RegExp }> = [
  { what: "package without credentials", args: ["package", "--url", "oci://127.0.0.1:5999/w/c:1"], env: async () => ({ WAF_REGISTRY_USER: "", WAF_REGISTRY_PASSWORD: "" }), line: /registry credentials missing: set WAF_REGISTRY_USER and WAF_REGISTRY_PASSWORD/ },
  { what: "package without docker", args: ["package", "--url", "oci://127.0.0.1:5999/w/c:1"], env: async () => ({ WAF_REGISTRY_USER: "u", WAF_REGISTRY_PASSWORD: PASSWORD, PATH: await nodeOnlyPath() }), line: /docker not found on PATH/ },
  { what: "secret without kubectl", args: ["secret"], env: async () => ({ WAF_REGISTRY_USER: "u", WAF_REGISTRY_PASSWORD: PASSWORD, PATH: await nodeOnlyPath() }), line: /kubectl not found on PATH/ },
  { what: "apply without kubectl", args: ["apply"], env: async () => ({ PATH: await nodeOnlyPath() }), line: /kubectl not found on PATH/ },
  { what: "verify without a target", args: ["verify"], env: async () => ({ WAF_TARGET: "local" }), line: /verify needs a gateway target/ },
  { what: "an image without a registry", args: ["render", "--url", "oci://coraza:1.0"], env: async () => ({}), line: /--url=oci:\/\/coraza:1\.0: name the registry host/ },
  { what: "an unknown step", args: ["deploy"], env: async () => ({}), line: /unknown step "deploy"/ },
];
for (const c of cases) {
  test(`npm run asm -- ${c.args[0]}: ${c.what} is one line, exit 2`, async () => {
    const run = await runCli("asm", await c.env(), c.args, 60_000);
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("wafcheck:"));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, c.line);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(PASSWORD));
  });
}

test("npm run asm -- verify --dry-run prints the suite command; --help lists every step", async () => {
  const run = await runCli("asm", { WAF_TARGETS_FILE: "gateways.yaml" }, ["verify", "--target", "staging", "--dry-run"], 60_000);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^WAF_TARGET=staging WAF_TARGETS_FILE=gateways\.yaml npx tsx scripts\/waf\.ts$/m, "every suite by default");
  const narrowed = await runCli("asm", { WAF_TARGETS_FILE: "gateways.yaml" }, ["verify", "--target", "staging", "--dry-run", "--", "--grep", "conformance"], 60_000);
  assert.match(narrowed.stdout, /^WAF_TARGET=staging WAF_TARGETS_FILE=gateways\.yaml npx tsx scripts\/waf\.ts --grep conformance$/m, "Playwright arguments after --");
  const help = await runCli("asm", {}, ["--help"], 60_000);
  for (const step of ["package", "secret", "render", "apply", "verify", "targets", "gates", "--dry-run"]) assert.match(help.stdout, new RegExp(step));
});

test("the pull secret is the object kubectl create secret docker-registry makes (when kubectl is here)", async (t) => {
  const kubectl = await execa("kubectl", ["version", "--client"], { reject: false, timeout: 20_000 });
  if (kubectl.exitCode !== 0) return t.skip("no kubectl on PATH");
  // A throw-away password: on a command line here only to compare with kubectl's own output.
  const input = { name: "coraza-wasm-proxy", namespace: "istio-system", server: "registry.example.test", username: "admin", password: "throwaway-only-for-this-test" };
  const made = await execa(
    "kubectl",
    ["create", "secret", "docker-registry", input.name, "-n", input.namespace, `--docker-server=${input.server}`, `--docker-username=${input.username}`, `--docker-password=${input.password}`, "--dry-run=client", "-o", "json"],
    { timeout: 20_000 },
  );
  const theirs = JSON.parse(made.stdout);
  const ours = pullSecretManifest(input) as { type: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
  assert.equal(ours.type, theirs.type);
  assert.equal(ours.metadata.name, theirs.metadata.name);
  assert.equal(ours.metadata.namespace, theirs.metadata.namespace);
  assert.equal(ours.data[".dockerconfigjson"], theirs.data[".dockerconfigjson"], "byte for byte the same .dockerconfigjson");
});
