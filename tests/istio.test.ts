// The ASM path against a real Istio, nothing imitated: `npm run istio` (etcd + kube-apiserver, istiod, an ingress
// gateway = pilot-agent + our Envoy, httpbin, an OCI registry with auth), then the seed's steps with no --dry-run:
// `npm run asm -- package` pushes the image, `secret` creates the pull secret through the API server, `apply`
// applies the WasmPlugin with kubectl; istiod translates it and hands the secret to the agent it verified
// (mTLS, certificate from its CA for a service-account token); the agent pulls the image; `verify` runs the
// suites through the remote code path with drift against the local stack. Then two WasmPlugins Istio refuses:
// a wrong sha256 and a bad pull secret, each a finding in Istio's own words and exit 1.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { statusWithHost } from "../harness/istio/index.ts";
import { ROOT, runCli, tempReports } from "./support/cli.ts";
import { tempDir } from "./support/temp.ts";

/** The suites verify runs here: conformance and a slice of the corpus (the whole corpus is WAF_ISTIO_FULL=1: ~2 × 6 min). */
const VERIFY_ARGS = process.env.WAF_ISTIO_FULL ? [] : ["--", "--grep", "conformance|sqli-001/|xss-001/|benign-i18n-001/|benign-name-001/"];
const hasRegistry = (await execa("docker-registry", ["--version"], { reject: false })).exitCode === 0;

test("local Istio: npm run istio, then package → secret → apply → verify for real; wrong sha256 and bad pull secret refused", { skip: !hasRegistry && "docker-registry not installed (bash scripts/setup-registry.sh)", timeout: 1_800_000 }, async (t) => {
  const dir = await tempDir("wafcheck-istio-test-");
  const started = Date.now();
  const child = spawn(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/istio.ts"), "--dir", dir], { cwd: ROOT, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  try {
    // Up when it printed its env file (bounded: the programs are prebuilt by bootstrap.sh test).
    for (let i = 0; i < 600 && !/^ENV_FILE=/m.test(stdout) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 500));
    assert.match(stdout, /^ENV_FILE=/m, `npm run istio did not come up:\n${stderr.slice(-3000)}`);
    t.diagnostic(`npm run istio: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const out = (key: string) => new RegExp(`^${key}=(.+)$`, "m").exec(stdout)?.[1] ?? "";
    const gateway = out("GATEWAY_URL");
    const host = out("GATEWAY_HOST");
    assert.match(gateway, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(out("ENVOY_ADMIN_URL"), /^http:\/\/127\.0\.0\.1:\d+$/);
    const env = Object.fromEntries(
      readFileSync(out("ENV_FILE"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    ) as Record<string, string>;
    assert.ok(!stdout.includes(env.WAF_REGISTRY_PASSWORD!) && !stderr.includes(env.WAF_REGISTRY_PASSWORD!), "the registry password is never printed");
    const kubectl = (args: string[]) => execa("kubectl", args, { env, reject: false });

    await t.test("before any WasmPlugin the gateway routes to httpbin and inspects nothing", async () => {
      assert.equal(await statusWithHost(`${gateway}/get`, host), 200);
      assert.equal(await statusWithHost(`${gateway}/get`, host, { "x-user-type": "baned" }), 200);
      assert.equal(await statusWithHost(`${gateway}/get`, "other.example.test"), 404, "only the Gateway's host is routed");
    });

    let digest = "";
    await t.test("asm package pushes the image to the registry (auth required)", async () => {
      const run = await runCli("asm", env, ["package"], 600_000);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      digest = /^DIGEST=sha256:([0-9a-f]{64})$/m.exec(run.stdout)?.[1] ?? "";
      assert.ok(digest, run.stdout);
    });

    await t.test("asm secret creates the pull secret through the API server", async () => {
      const run = await runCli("asm", env, ["secret"], 120_000);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      const got = await kubectl(["get", "secret", "coraza-wasm-proxy", "-n", "istio-system", "-o", "jsonpath={.type}"]);
      assert.equal(got.stdout, "kubernetes.io/dockerconfigjson", got.stderr);
    });

    await t.test("asm apply: istiod delivers it, the agent pulls it with the secret, the gateway blocks and passes", async () => {
      const run = await runCli("asm", env, ["apply", "--sha256", digest], 120_000);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      assert.equal((await kubectl(["get", "wasmplugin", "coraza-proxy-wasm", "-n", "istio-system", "-o", "jsonpath={.spec.sha256}"])).stdout, digest);
      let banned = 0;
      for (let i = 0; i < 120 && banned !== 403; i++) {
        banned = await statusWithHost(`${gateway}/get`, host, { "x-user-type": "baned" });
        if (banned !== 403) await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(banned, 403, `the seed rule blocks through Istio (agent log: ${agentLogTail(env)})`);
      assert.equal(await statusWithHost(`${gateway}/get`, host), 200);
    });

    await t.test("asm verify: what Istio delivered, the canary, the suites, drift against the local stack", async () => {
      const reports = await tempReports();
      const run = await runCli("asm", { ...env, WAF_REPORTS_DIR: reports }, ["verify", ...VERIFY_ARGS], 1_200_000);
      assert.equal(run.code, 0, run.stderr.slice(-4000));
      assert.match(run.stderr, /running under it: wasm/);
      assert.match(run.stderr, /plug-in filter: extensions\.istio\.io\/trafficextension\/istio-system\.coraza-proxy-wasm~istio-translated-wasmplugin \(position 1 of/);
      assert.match(run.stderr, /real Istio beside the stand-in/);
      assert.doesNotMatch(run.stderr, /≠/, "the stand-in renders the wasm filter as the real istiod generated it (name, order, fail strategy, pluginConfig bytes)");
      assert.match(run.stderr, /canary passed on local-istio/);
      const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
      assert.equal(summary.target.name, "local-istio");
      assert.equal(summary.canary.passed, true);
      assert.ok(summary.drift, "drift was computed against a local run");
      assert.deepEqual(summary.drift.cases, [], `drift: ${JSON.stringify(summary.drift.cases).slice(0, 2000)}`);
      assert.ok(summary.drift.compared > 10, JSON.stringify(summary.drift).slice(0, 300));
      assert.equal(summary.istioDelivery.delivered.running, "wasm", "what Istio delivered is a section of the run's summary.json");
      assert.equal(summary.istioDelivery.delivered.wasm.failurePolicy, "FAIL_CLOSED");
      assert.deepEqual(summary.istioDelivery.findings, []);
    });

    await t.test("a wrong sha256: istio-agent refuses the module, the gateway fails closed, verify reports it and exits 1", async () => {
      const wrong = digest.replace(/^./, (c) => (c === "0" ? "1" : "0"));
      assert.equal((await runCli("asm", env, ["apply", "--sha256", wrong], 120_000)).code, 0);
      const reports = await tempReports();
      const run = await runCli("asm", { ...env, WAF_DRIFT: "off", WAF_REPORTS_DIR: reports }, ["verify", ...VERIFY_ARGS], 300_000);
      assert.equal(run.code, 1, run.stderr.slice(-3000));
      assert.match(run.stderr, /finding: istio-agent: error in converting the wasm config to local: .*(checksum|digest|sha256).*applying deny RBAC filter/i);
      const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
      assert.equal(summary.istioDelivery.delivered.running, "deny-all fallback (RBAC)");
      assert.match(summary.istioDelivery.findings.join("\n"), /does not match/, "the report holds istio-agent's words");
      assert.match(run.stderr, /deny-all fallback .* every request gets 403 \(fail closed\)/);
      assert.equal(await statusWithHost(`${gateway}/get`, host), 403, "fail closed: a normal request is refused too");
    });

    await t.test("a bad pull secret: the registry refuses the agent, the gateway fails closed, verify reports it and exits 1", async () => {
      // A tag never pulled before: with imagePullPolicy IfNotPresent a cached module would hide the bad secret.
      const url = `${env.WAF_PLUGIN_URL!.replace(/:[^:/]+$/, "")}:bad-secret-${Date.now()}`;
      assert.equal((await runCli("asm", { ...env, WAF_PLUGIN_URL: url }, ["package"], 600_000)).code, 0);
      const bad = { ...env, WAF_PLUGIN_URL: url, WAF_REGISTRY_PASSWORD: "not-the-password" };
      assert.equal((await runCli("asm", bad, ["secret"], 120_000)).code, 0);
      assert.equal((await runCli("asm", bad, ["apply"], 120_000)).code, 0);
      const reports = await tempReports();
      const run = await runCli("asm", { ...bad, WAF_DRIFT: "off", WAF_REPORTS_DIR: reports }, ["verify", ...VERIFY_ARGS], 300_000);
      assert.equal(run.code, 1, run.stderr.slice(-3000));
      assert.match(run.stderr, /finding: istio-agent: error in converting the wasm config to local: cannot fetch Wasm module oci:\/\/.*bad-secret.*(unauthorized|401|authentication)/i);
      assert.match(run.stderr, /every request gets 403 \(fail closed\)/);
      const summary = readFileSync(join(reports, "summary.json"), "utf8");
      assert.match(summary, /UNAUTHORIZED/, "the report holds the registry's refusal as the agent saw it");
      assert.ok(![run.stderr, run.stdout, summary].some((t) => t.includes("not-the-password") || t.includes(env.WAF_REGISTRY_PASSWORD!)), "no password in any output or the report");
    });
  } finally {
    child.kill("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 60_000, "timeout")))]);
    clearTimeout(timer); // a pending timer would keep this file's process alive for another minute
    assert.equal(code, 130, `npm run istio stops on Ctrl-C: ${stderr.slice(-1000)}`);
    assert.ok(!existsSync(join(dir, "env")), "its env file (registry password) is removed");
  }
});

/** The last lines of istio-agent's log (its path is in the targets file npm run istio wrote). */
function agentLogTail(env: Record<string, string>): string {
  const file = /agentLog: (.+)$/m.exec(readFileSync(env.WAF_TARGETS_FILE!, "utf8"))?.[1];
  return file && existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n") : "(no agent log)";
}
