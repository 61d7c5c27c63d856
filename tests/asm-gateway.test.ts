// The ASM path end to end, with nothing imitated: a real OCI registry (Debian's docker-registry, htpasswd
// auth, 127.0.0.1), `npm run asm -- package` pushing the plug-in, `render`, and a stand-in ASM gateway (a real
// Envoy set up as an Istio gateway runs a phase-AUTHN plug-in) that pulls the rendered spec.url like
// istio-agent. The remote-mode suites then run against it through the same code path as a real gateway.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { execa } from "execa";
import { request } from "undici";
import { parse } from "yaml";
import { resolveWasm } from "../harness/artifacts/index.ts";
import {
  pullSecretManifest, startAsmStandin, startLocalRegistry, tarEntries, targetsFileText, type LocalRegistry, type StartedStandin,
} from "../harness/asm/index.ts";
import { loadManifest, parseManifest, sha256Hex } from "../harness/manifest/index.ts";
import { ROOT, runCli, tempReports } from "./support/cli.ts";
import { runCliWithInput } from "./support/cli-input.ts";
import { filesContaining, filesUnder } from "./support/secret-scan.ts";
import { tempDir } from "./support/temp.ts";

const HOST = "app.asm-standin.test";
/**
 * The remote run covers the conformance suite and a slice of the corpus (attacks that must be blocked, benign
 * requests that must pass), twice: against the stand-in and, for drift, a local stack. The whole corpus
 * (~1,400 requests) takes ~6 min that way on 2 cores: WAF_ASM_FULL=1 runs it.
 */
const REMOTE_ARGS = process.env.WAF_ASM_FULL ? [] : ["--grep", "conformance|sqli-001/|xss-001/|benign-i18n-001/|benign-name-001/"];
/** The stand-in target carries a secret header from env, as a real gateway's auth header: it must never reach a report. */
const GW_AUTH_VAR = "WAF_TEST_GW_AUTH";
const hasRegistry = (await execa("docker-registry", ["--version"], { reject: false })).exitCode === 0;

test("ASM path: package → render → pull → load → verify against a stand-in gateway", { skip: !hasRegistry && "docker-registry not installed (bash scripts/setup-registry.sh)" }, async (t) => {
  const seed = await loadManifest(join(ROOT, "envoy-local/wasm-plugin.yaml"));
  const wasm = await resolveWasm("build");
  const registry: LocalRegistry = await startLocalRegistry();
  const image = `${registry.host}/wasm/coraza-proxy-wasm:1.0`;
  const url = `oci://${image}`;
  const creds = { WAF_REGISTRY_USER: registry.username, WAF_REGISTRY_PASSWORD: registry.password };
  const gwSecret = `gw-auth-${randomBytes(16).toString("hex")}`;
  const outputs: string[] = [];
  const cli = async (name: string, env: Record<string, string>, args: string[] = [], timeoutMs?: number) => {
    const run = await runCli(name, env, args, timeoutMs);
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  // Every report dir a run wrote: scanned for the secrets at the end.
  const reportDirs: string[] = [];
  const reports = async () => {
    const dir = await tempReports();
    reportDirs.push(dir);
    return dir;
  };
  let standin: StartedStandin | undefined;
  try {
    let digest = "";
    await t.test("package --dry-run names plugin.wasm and masks the password", async () => {
      const run = await cli("asm", creds, ["package", "--url", url, "--dry-run"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /plugin\.wasm/);
      assert.match(run.stdout, /--password-stdin/);
      assert.match(run.stdout, /FROM scratch/);
    });

    await t.test("package pushes a FROM-scratch image whose single layer holds plugin.wasm", async () => {
      const run = await cli("asm", creds, ["package", "--url", url]);
      assert.equal(run.code, 0, run.stderr);
      digest = /^DIGEST=(sha256:[0-9a-f]{64})$/m.exec(run.stdout)?.[1] ?? "";
      assert.ok(digest, run.stdout);
      assert.match(run.stdout, new RegExp(`^WASM_SHA256=${wasm.sha256}$`, "m"));
      // Pull it back through the registry's HTTP API, with basic auth on 127.0.0.1.
      const auth = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}`;
      const api = (path: string, accept = "*/*") => fetch(`http://${registry.host}/v2/wasm/coraza-proxy-wasm/${path}`, { headers: { authorization: auth, accept } });
      const unauthenticated = await fetch(`http://${registry.host}/v2/wasm/coraza-proxy-wasm/manifests/1.0`);
      assert.equal(unauthenticated.status, 401, "the registry requires the credentials");
      const manifestResponse = await api("manifests/1.0", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json");
      assert.equal(manifestResponse.status, 200);
      const manifestBytes = Buffer.from(await manifestResponse.arrayBuffer());
      assert.equal(`sha256:${sha256Hex(manifestBytes)}`, digest, "the digest push reported");
      const manifest = JSON.parse(manifestBytes.toString("utf8")) as { layers: Array<{ digest: string; mediaType: string }> };
      assert.equal(manifest.layers.length, 1, "a single layer");
      const blob = Buffer.from(await (await api(`blobs/${manifest.layers[0]!.digest}`)).arrayBuffer());
      const files = tarEntries(gunzipSync(blob)).filter((e) => e.type === "0");
      assert.deepEqual(files.map((f) => f.name), ["plugin.wasm"]);
      assert.equal(sha256Hex(files[0]!.data), wasm.sha256);
    });

    await t.test("package --password-stdin: the password piped on standard input pushes; it is never shown", async () => {
      const stdinImage = `${registry.host}/wasm/coraza-proxy-wasm:stdin`;
      // No WAF_REGISTRY_PASSWORD: the only way the password can reach docker login is standard input.
      const run = await runCliWithInput("asm", { WAF_REGISTRY_USER: registry.username, WAF_REGISTRY_PASSWORD: "" }, ["package", "--url", `oci://${stdinImage}`, "--password-stdin"], `${registry.password}\n`);
      outputs.push(run.stdout, run.stderr);
      try {
        assert.equal(run.code, 0, run.stderr);
        const pushed = /^DIGEST=(sha256:[0-9a-f]{64})$/m.exec(run.stdout)?.[1];
        assert.ok(pushed, run.stdout);
        const auth = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}`;
        const head = await fetch(`http://${registry.host}/v2/wasm/coraza-proxy-wasm/manifests/stdin`, {
          method: "HEAD",
          headers: { authorization: auth, accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json" },
        });
        assert.equal(head.status, 200, "the registry holds the tag pushed with the piped password");
        assert.equal(head.headers.get("docker-content-digest"), pushed);
        assert.ok(!`${run.stdout}${run.stderr}`.includes(registry.password), "the piped password is never shown");
      } finally {
        await execa("docker", ["rmi", "-f", stdinImage], { reject: false });
      }
    });

    let rendered = "";
    await t.test("render: the pushed url and digest, the local manifest's pluginConfig hash, Istio's schema", async () => {
      const run = await cli("asm", {}, ["render", "--url", url, "--sha256", digest]);
      assert.equal(run.code, 0, run.stderr);
      rendered = run.stdout;
      const m = parseManifest(rendered, "rendered");
      assert.equal(m.pluginConfigSha256, seed.pluginConfigSha256);
      assert.equal(m.resource.spec.url, url);
      assert.equal(m.resource.spec.sha256, digest.slice(7));
      assert.equal(m.resource.spec.phase, "AUTHN");
    });

    await t.test("secret and apply --dry-run: kubectl apply on stdin, valid objects, password masked", async () => {
      const secret = await cli("asm", creds, ["secret", "--url", url, "--dry-run"]);
      assert.equal(secret.code, 0, secret.stderr);
      const secretYaml = parse(secret.stdout.split("<<'EOF'\n")[1]!.split("\nEOF")[0]!);
      assert.equal(secretYaml.type, "kubernetes.io/dockerconfigjson");
      assert.equal(secretYaml.metadata.namespace, "istio-system", "the WasmPlugin's namespace");
      assert.equal(secretYaml.metadata.name, "coraza-wasm-proxy", "the WasmPlugin's imagePullSecret");
      const apply = await cli("asm", {}, ["apply", "--url", url, "--sha256", digest, "--dry-run"]);
      assert.equal(apply.code, 0, apply.stderr);
      assert.match(apply.stdout, /^kubectl apply -f - <<'EOF'$/m);
      assert.equal(parseManifest(apply.stdout.split("<<'EOF'\n")[1]!.split("\nEOF")[0]!, "apply").pluginConfigSha256, seed.pluginConfigSha256);
    });

    await t.test("the stand-in pulls spec.url with the pull secret, checks digests, and answers as an Istio gateway", async () => {
      const secret = pullSecretManifest({ name: "coraza-wasm-proxy", namespace: "istio-system", server: registry.host, username: registry.username, password: registry.password });
      const dockerConfigJson = Buffer.from((secret.data as Record<string, string>)[".dockerconfigjson"]!, "base64").toString("utf8");
      const started = Date.now();
      standin = await startAsmStandin({ wasmPluginYaml: rendered, dockerConfigJson, host: HOST, expectedWasmSha256: wasm.sha256 });
      t.diagnostic(`stand-in (pull + Envoy with the plug-in) up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(standin.pulled.sha256, wasm.sha256);
      assert.equal(standin.pulled.manifestDigest, digest);
      // undici's request, not fetch: fetch does not let a caller set Host.
      const get = async (headers: Record<string, string>) => {
        const r = await request(`${standin!.url}/get`, { headers: { "user-agent": "Mozilla/5.0 wafcheck", accept: "application/json", ...headers } });
        await r.body.arrayBuffer();
        return { status: r.statusCode, server: r.headers.server };
      };
      assert.deepEqual(await get({ host: HOST }), { status: 200, server: "istio-envoy" });
      assert.equal((await get({ host: HOST, "x-user-type": "baned" })).status, 403);
      assert.deepEqual(await get({ host: HOST, "x-gw-auth": "any" }), { status: 200, server: "istio-envoy" }, "a gateway auth header is harmless");
      assert.equal((await get({ host: "other.example.test" })).status, 404, "Host-based routing: an unknown host has no route");
    });

    const targets = join(await tempDir("wafcheck-targets-"), "targets.yaml");
    const requests = async () => Number(/^http\.waf\.downstream_rq_total: (\d+)$/m.exec(await standin!.stack.stats())?.[1] ?? NaN);

    await t.test("WAF_TARGET=<stand-in> --dry-run lists the requests and sends none", async () => {
      assert.ok(standin);
      await writeFile(
        targets,
        targetsFileText("asm-standin", { ...standin.targetsEntry({ rateLimit: 100, concurrency: 2 }), headers: { "X-Gw-Auth": { env: GW_AUTH_VAR } } }) +
          // The same Envoy's listener without the wasm filter: a gateway whose WAF is not active.
          targetsFileText("no-waf", { ...standin.targetsEntry(), url: standin.stack.baselineUrl }).replace(/^targets:\n/, ""),
      );
      const before = await requests();
      const run = await cli("waf", { WAF_TARGET: "asm-standin", WAF_TARGETS_FILE: targets, WAF_REPORTS_DIR: await reports(), [GW_AUTH_VAR]: gwSecret }, ["--dry-run", ...REMOTE_ARGS]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /# dry run: nothing was sent/);
      assert.match(run.stdout, /-H 'X-Gw-Auth: \[REDACTED\]'/, "the env header is listed, redacted");
      assert.match(run.stdout, /^canary\/banned\tGET /m);
      assert.match(run.stdout, /^conformance\/banned\tGET /m);
      assert.equal(await requests(), before, "Envoy saw no request");
    });

    await t.test("the canary stops a run against a gateway whose WAF is not active", async () => {
      const dir = await reports();
      const run = await cli("waf", { WAF_TARGET: "no-waf", WAF_TARGETS_FILE: targets, WAF_REPORTS_DIR: dir });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /wafcheck: WAF not active or config mismatch on target no-waf: "x-user-type: baned" got HTTP 200, expected HTTP 403/);
      assert.ok(!existsSync(join(dir, "summary.json")), "no suite ran");
    });

    await t.test("remote-mode suites pass against the stand-in; drift against a local run is empty", async () => {
      const dir = await reports();
      const started = Date.now();
      const run = await cli("waf", { WAF_TARGET: "asm-standin", WAF_TARGETS_FILE: targets, WAF_REPORTS_DIR: dir, [GW_AUTH_VAR]: gwSecret }, REMOTE_ARGS, 900_000);
      t.diagnostic(`remote run incl. local baseline run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      assert.match(run.stderr, /canary passed on asm-standin/);
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
      assert.equal(summary.schemaVersion, 1);
      assert.equal(summary.target.name, "asm-standin");
      assert.equal(summary.stack, null);
      for (const [suite, c] of Object.entries(summary.suites as Record<string, { passed: number; failed: number; infra: number }>)) {
        assert.equal(c.failed + c.infra, 0, `${suite}: ${JSON.stringify(c)}`);
      }
      assert.ok(summary.suites.conformance.passed >= 9, JSON.stringify(summary.suites));
      assert.equal(summary.canary.passed, true);
      assert.deepEqual(summary.drift.cases, []);
      assert.ok(summary.drift.compared >= 9, JSON.stringify(summary.drift));
      assert.deepEqual(summary.drift.onlyRemote, []);
      t.diagnostic(`drift: ${summary.drift.compared} request verdicts compared, ${summary.drift.cases.length} differ; suites ${JSON.stringify(summary.suites)}`);
      assert.equal(summary.drift.baseline.pluginConfigSha256, seed.pluginConfigSha256, "the local run loaded the same pluginConfig");
      assert.equal(summary.drift.baseline.wasmSha256, wasm.sha256, "and the same wasm");
      const results = join(dir, "allure-results");
      const driftResult = readdirSync(results)
        .filter((f) => f.endsWith("-result.json"))
        .map((f) => JSON.parse(readFileSync(join(results, f), "utf8")))
        .find((r) => r.testCaseId === "wafcheck-drift-asm-standin");
      assert.ok(driftResult, "the drift result is in the Allure results");
      assert.equal(driftResult.status, "passed");
      assert.ok(existsSync(join(results, driftResult.attachments[0].source)));
      const gates = await cli("asm", {}, ["gates", "--summary", join(dir, "summary.json")]);
      assert.equal(gates.code, 0, gates.stdout);
      assert.match(gates.stdout, /drift: none/);

      // The env header went out on every request (the stand-in accepted them all, above) and reached no report.
      const files = filesUnder([dir]);
      for (const name of ["summary.json", "junit.xml"]) assert.ok(files.includes(join(dir, name)), `${name} written`);
      const attachments = files.filter((f) => f.startsWith(`${results}/`) && f.endsWith(".txt"));
      assert.ok(attachments.length > 0, "Allure attachments written");
      assert.deepEqual(filesContaining(files, gwSecret), [], "the X-Gw-Auth value is in no report file");
      assert.ok(!`${run.stdout}${run.stderr}`.includes(gwSecret), "nor in the CLI output");
      const text = (f: string) => readFileSync(f, "utf8");
      assert.ok(attachments.some((f) => /-H 'X-Gw-Auth: \[REDACTED\]'/.test(text(f))), "reproducers show the header, redacted");
      assert.ok(attachments.some((f) => /"X-Gw-Auth": \[?\s*"\[REDACTED\]"/.test(text(f))), "httpbin's echo of it (the gateway forwarded it; go-httpbin lists values) is redacted too");
    });

    await t.test("asm verify runs the conformance suite against the stand-in (targets file, canary first)", async () => {
      const dir = await reports();
      const started = Date.now();
      // Drift is off: the run above compares the same suites with a local stack; verify's own work is the suite.
      const run = await cli("asm", { WAF_TARGETS_FILE: targets, WAF_REPORTS_DIR: dir, WAF_DRIFT: "off", [GW_AUTH_VAR]: gwSecret }, ["verify", "--target", "asm-standin", "--", "--grep", "conformance"], 600_000);
      t.diagnostic(`asm verify: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      assert.match(run.stderr, /\[asm\] every suite against gateway target asm-standin/);
      assert.match(run.stderr, /canary passed on asm-standin/);
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
      assert.equal(summary.target.name, "asm-standin");
      assert.deepEqual(Object.keys(summary.suites), ["conformance"], "only the conformance suite ran");
      const c = summary.suites.conformance as { passed: number; failed: number; infra: number };
      assert.ok(c.passed >= 9 && c.failed + c.infra === 0, JSON.stringify(c));
      assert.equal(summary.canary.passed, true);
    });

    await t.test("no output of any step nor any report file contains the registry password or the gateway secret", () => {
      for (const text of outputs) {
        assert.ok(!text.includes(registry.password), "registry password in CLI output");
        assert.ok(!text.includes(gwSecret), "gateway secret in CLI output");
      }
      const files = filesUnder(reportDirs);
      assert.ok(files.some((f) => f.endsWith("summary.json")) && files.some((f) => f.includes("/allure-results/")), `reports scanned: ${reportDirs.join(", ")}`);
      assert.deepEqual(filesContaining(files, registry.password), []);
      assert.deepEqual(filesContaining(files, gwSecret), []);
    });
  } finally {
    await standin?.stop();
    await registry.stop();
    await execa("docker", ["rmi", "-f", image], { reject: false });
  }
});
