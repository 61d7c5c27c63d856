import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "yaml";
import { UserError } from "../errors.ts";
import { canonicalJson, parseManifest, withParanoia } from "../manifest/index.ts";
import { istioGatewayEnvoyOptions } from "./gateway-config.ts";
import { formatImageRef, ociUrl, parseImageRef } from "./image-ref.ts";
import { planApply, planSecret } from "./kube-plan.ts";
import { planPackage, pushedDigest, PLUGIN_DOCKERFILE } from "./package-plan.ts";
import { formatPlan, maskSecrets, MASK } from "./plan.ts";
import { credentialsFor, dockerConfigJson, pullSecretManifest } from "./pull-secret.ts";
import { parseSelector, renderWasmPlugin } from "./render.ts";
import { tarEntries } from "./oci-pull.ts";
import { renderEnvoyConfig } from "../envoy/index.ts";

const seedPath = new URL("../../envoy-local/wasm-plugin.yaml", import.meta.url);
const seedText = readFileSync(seedPath, "utf8");
const seed = parseManifest(seedText, "wasm-plugin.yaml");
const PASSWORD = "pa55-w0rd/with:odd=chars";

test("image references: registry required, tag and digest parsed, oci:// accepted", () => {
  const ref = parseImageRef("oci://registry.example.test/wasm/coraza-proxy-wasm:1.0");
  assert.deepEqual(ref, { registry: "registry.example.test", repository: "wasm/coraza-proxy-wasm", tag: "1.0", digest: undefined });
  assert.equal(formatImageRef(parseImageRef("127.0.0.1:5000/w/c:latest")), "127.0.0.1:5000/w/c:latest");
  assert.equal(ociUrl(ref), "oci://registry.example.test/wasm/coraza-proxy-wasm:1.0");
  assert.equal(parseImageRef(`r.example/w/c@sha256:${"a".repeat(64)}`).digest, `sha256:${"a".repeat(64)}`);
  assert.throws(() => parseImageRef("coraza-proxy-wasm:1.0"), /name the registry host/);
  assert.throws(() => parseImageRef("https://r.example/w/c:1"), /only oci:\/\//);
  assert.throws(() => parseImageRef("r.example/W/c:1"), /invalid repository/);
});

test("render: same pluginConfig text and hash, url/secret/selector/phase set, Istio schema valid", () => {
  const r = renderWasmPlugin(seedText, "wasm-plugin.yaml", seed, {
    url: "oci://registry.example.test/wasm/coraza-proxy-wasm:1.0",
    selector: { istio: "ingressgateway", app: "gw" },
    pullSecret: "my-pull",
    namespace: "gateways",
  });
  assert.equal(r.manifest.pluginConfigSha256, seed.pluginConfigSha256);
  const block = (text: string) => text.slice(text.indexOf("  pluginConfig:"));
  assert.equal(block(r.yaml), block(seedText), "pluginConfig is byte for byte the manifest's");
  const obj = parse(r.yaml);
  assert.equal(obj.spec.url, "oci://registry.example.test/wasm/coraza-proxy-wasm:1.0");
  assert.equal(obj.spec.imagePullSecret, "my-pull");
  assert.equal(obj.spec.phase, "AUTHN");
  assert.deepEqual(obj.spec.selector, { matchLabels: { istio: "ingressgateway", app: "gw" } });
  assert.equal(obj.metadata.namespace, "gateways");
  assert.match(r.yaml, new RegExp(`^# .*\\n# pluginConfig sha256 \\(canonical JSON\\): ${seed.pluginConfigSha256}`));
});

test("render applies the run's rewritten pluginConfig (WAF_PARANOIA) and its hash follows", () => {
  const pluginConfig = withParanoia(seed.pluginConfig, 3, "m");
  const r = renderWasmPlugin(seedText, "m", { pluginConfig }, { url: "oci://r.example.test/w/c:1" });
  assert.notEqual(r.manifest.pluginConfigSha256, seed.pluginConfigSha256);
  assert.match(r.yaml, /blocking_paranoia_level=3/);
});

test("render refuses a bad phase, digest or selector with one line", () => {
  assert.throws(() => renderWasmPlugin(seedText, "m", seed, { sha256: "xyz" }), /--sha256=xyz: expected 64 hex digits/);
  assert.throws(() => parseSelector(["istio"]), /expected key=value/);
  assert.throws(() => renderWasmPlugin(seedText, "m", seed, { phase: "AUTHZZ" as "AUTHN" }), (e: unknown) => e instanceof UserError && /spec\.phase/.test(e.message));
});

test("package plan: FROM-scratch plugin.wasm image, password only on stdin and masked when printed", () => {
  const steps = planPackage({
    image: parseImageRef("127.0.0.1:5000/wasm/coraza:1.0"),
    wasm: { path: "/cache/coraza.wasm", sha256: "ab".repeat(32) },
    username: "admin",
    password: { value: PASSWORD, shown: { from: "env", name: "WAF_REGISTRY_PASSWORD" } },
    contextDir: "/tmp/ctx",
    dockerConfigDir: "/tmp/cfg",
  });
  for (const s of steps) if (s.action.kind === "exec") assert.ok(!s.action.argv.some((a) => a.includes(PASSWORD)), "never on a command line");
  const login = steps.find((s) => s.action.kind === "exec" && s.action.argv.includes("login"))!;
  assert.equal(login.action.kind === "exec" && login.action.stdin?.text, PASSWORD);
  const text = formatPlan(steps, [PASSWORD]);
  assert.doesNotMatch(text, new RegExp(PASSWORD.replace(/[/:=]/g, "\\$&")));
  assert.match(text, /cp \/cache\/coraza\.wasm \/tmp\/ctx\/plugin\.wasm/);
  assert.match(text, /printf '%s' "\$WAF_REGISTRY_PASSWORD" \| docker --config \/tmp\/cfg login --username admin --password-stdin 127\.0\.0\.1:5000/);
  assert.match(text, /docker --config \/tmp\/cfg push 127\.0\.0\.1:5000\/wasm\/coraza:1\.0/);
  assert.equal(PLUGIN_DOCKERFILE, "FROM scratch\nADD ./plugin.wasm ./plugin.wasm\n");
  assert.ok(steps.at(-1)!.finally, "clean-up runs even after a failure");
  assert.equal(pushedDigest(`1.0: digest: sha256:${"c".repeat(64)} size: 528`), `sha256:${"c".repeat(64)}`);
});

test("masking covers the secret, its base64 and URL-encoded forms", () => {
  const b64 = Buffer.from(PASSWORD).toString("base64").replace(/=+$/, "");
  const text = `a ${PASSWORD} b ${b64} c ${encodeURIComponent(PASSWORD)}`;
  assert.equal(maskSecrets(text, [PASSWORD]), `a ${MASK} b ${MASK} c ${MASK}`);
  assert.equal(maskSecrets("x", [""]), "x");
});

test("secret: a dockerconfigjson Secret in the WasmPlugin's namespace, applied from stdin, masked in --dry-run", () => {
  const input = { name: "coraza-wasm-proxy", namespace: "istio-system", server: "registry.example.test", username: "admin", password: PASSWORD };
  const secret = pullSecretManifest(input) as { type: string; metadata: { namespace: string }; data: Record<string, string> };
  assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
  assert.equal(secret.metadata.namespace, "istio-system");
  const config = Buffer.from(secret.data[".dockerconfigjson"]!, "base64").toString("utf8");
  assert.deepEqual(credentialsFor(config, "registry.example.test"), { username: "admin", password: PASSWORD });
  assert.deepEqual(credentialsFor(dockerConfigJson("https://r.example/", "u", "p").replace(/"password":"p",/, "").replace(/"username":"u",/, ""), "r.example"), { username: "u", password: "p" });
  const steps = planSecret(input);
  const exec = steps[0]!.action;
  assert.ok(exec.kind === "exec" && exec.argv.join(" ") === "kubectl apply -f -");
  assert.ok(exec.kind === "exec" && exec.stdin?.text.includes(secret.data[".dockerconfigjson"]!));
  const shown = formatPlan(steps, [PASSWORD]);
  assert.match(shown, /^kubectl apply -f - <<'EOF'$/m);
  assert.doesNotMatch(shown, new RegExp(secret.data[".dockerconfigjson"]!.slice(0, 20)));
  assert.ok(!shown.includes(PASSWORD));
  const shownYaml = parse(shown.split("<<'EOF'\n")[1]!.split("\nEOF")[0]!);
  assert.equal(shownYaml.kind, "Secret");
  assert.equal(shownYaml.metadata.namespace, "istio-system");
});

test("apply: the rendered WasmPlugin on stdin; the --dry-run text parses and validates against Istio's schema", () => {
  const r = renderWasmPlugin(seedText, "m", seed, { url: "oci://r.example.test/w/c:1" });
  const shown = formatPlan(planApply({ yaml: r.yaml, namespace: r.namespace, name: r.name, context: "asm" }));
  assert.match(shown, /^kubectl --context asm apply -f - <<'EOF'$/m);
  const body = shown.split("<<'EOF'\n")[1]!.split("\nEOF")[0]!;
  assert.equal(parseManifest(body, "dry-run").pluginConfigSha256, seed.pluginConfigSha256);
});

test("Istio-gateway Envoy options: Host routing, istio-envoy, the wasm filter as a real istiod generates it (npm run istio's config_dump)", () => {
  const config = renderEnvoyConfig({
    pluginConfig: seed.pluginConfig,
    wasmPath: "/w.wasm",
    upstream: { host: "httpbin", port: 8080 },
    ports: { waf: 1, baseline: 2, admin: 3 },
    ...istioGatewayEnvoyOptions(["app.asm.test"], { namespace: "istio-system", name: "coraza-proxy-wasm" }),
  });
  const hcm = (config as any).static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  assert.equal(hcm.server_name, "istio-envoy");
  assert.deepEqual(hcm.route_config.virtual_hosts[0].domains, ["app.asm.test", "app.asm.test:*"]);
  assert.deepEqual(hcm.http_filters.map((f: { name: string }) => f.name), [
    "extensions.istio.io/trafficextension/istio-system.coraza-proxy-wasm~istio-translated-wasmplugin",
    "envoy.filters.http.grpc_stats",
    "envoy.filters.http.fault",
    "envoy.filters.http.cors",
    "envoy.filters.http.router",
  ]);
  const wasm = hcm.http_filters[0].typed_config.config;
  assert.equal(wasm.name, "istio-system.coraza-proxy-wasm~istio-translated-wasmplugin");
  assert.equal(wasm.failure_policy, "FAIL_CLOSED");
  assert.equal(wasm.fail_open, undefined);
  assert.equal(wasm.vm_config.vm_id, undefined);
  assert.equal(wasm.configuration["@type"], "type.googleapis.com/google.protobuf.StringValue");
  assert.equal(wasm.configuration.value, canonicalJson(seed.pluginConfig), "istiod delivers pluginConfig as canonical JSON (keys sorted, no spaces)");
  assert.deepEqual(JSON.parse(wasm.configuration.value), seed.pluginConfig);
});

test("tar reader finds plugin.wasm in a ustar layer", () => {
  const header = Buffer.alloc(512);
  header.write("plugin.wasm", 0);
  header.write("0000644\0", 100);
  header.write(`${(8).toString(8).padStart(11, "0")}\0`, 124);
  header.write("0", 156);
  header.write("ustar\0", 257);
  const body = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(504)]);
  const entries = tarEntries(Buffer.concat([header, body, Buffer.alloc(1024)]));
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.name, "plugin.wasm");
  assert.equal(entries[0]!.data.length, 8);
});
