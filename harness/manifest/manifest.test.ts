import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { UserError } from "../errors.ts";
import { canonicalJson, pluginConfigSha256 } from "./canonical-json.ts";
import { parseManifest } from "./manifest.ts";

const seed = readFileSync(new URL("../../envoy-local/wasm-plugin.yaml", import.meta.url), "utf8");

test("the default manifest is the seed's shape and validates", () => {
  const m = parseManifest(seed, "wasm-plugin.yaml");
  assert.equal(m.pluginConfig.default_directives, "default");
  assert.match(m.pluginConfig.directives_map.default!.join("\n"), /id:101,phase:1,t:lowercase,deny/);
  assert.equal(m.resource.spec.phase, "AUTHN");
});

test("canonical JSON sorts keys at every depth and drops whitespace", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: "x" } }), '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  assert.equal(pluginConfigSha256({ b: 1, a: 2 }), pluginConfigSha256({ a: 2, b: 1 }));
});

test("pluginConfigSha256 does not depend on YAML formatting", () => {
  const reordered = seed.replace("    default_directives: default\n", "").replace("  pluginConfig:\n", "  pluginConfig:\n    default_directives: default\n");
  assert.notEqual(reordered, seed);
  assert.equal(parseManifest(reordered, "a").pluginConfigSha256, parseManifest(seed, "b").pluginConfigSha256);
});

const broken: Array<[string, (s: string) => string, RegExp]> = [
  ["a typo in a pluginConfig key", (s) => s.replace("directives_map:", "directive_map:"), /m\.yaml: spec\.pluginConfig: .*directive_map.*did you mean directives_map\?/],
  ["a typo in a spec field", (s) => s.replace("  phase: AUTHN", "  phaze: AUTHN"), /m\.yaml: spec\.phaze is not a WasmPlugin field \(did you mean phase\?\)/],
  ["a bad phase value (Istio's schema)", (s) => s.replace("phase: AUTHN", "phase: AUTHZZ"), /m\.yaml: spec\.phase: must be equal to one of the allowed values \(allowed: .*AUTHN/],
  ["a default set that does not exist", (s) => s.replace("default_directives: default", "default_directives: crs"), /spec\.pluginConfig\.default_directives: names directive set "crs"/],
  ["the wrong kind", (s) => s.replace("kind: WasmPlugin", "kind: EnvoyFilter"), /apiVersion\/kind must be/],
  ["broken YAML", (s) => s.replace("  phase: AUTHN", "  phase: [AUTHN"), /m\.yaml(:\d+)?: invalid YAML/],
];

for (const [what, mutate, message] of broken) {
  test(`rejects ${what} with one line naming file and field`, () => {
    assert.throws(() => parseManifest(mutate(seed), "m.yaml"), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.message, message);
      return true;
    });
  });
}

test("spec.vmConfig.env becomes the plug-in VM's environment (INLINE only); none without it", () => {
  const base = readFileSync("envoy-local/wasm-plugin.yaml", "utf8");
  assert.equal(parseManifest(base, "m.yaml").vmEnv, undefined);
  const withEnv = base.replace("  phase: AUTHN\n", "  phase: AUTHN\n  vmConfig:\n    env:\n      - name: GOGC\n        value: \"off\"\n");
  assert.deepEqual(parseManifest(withEnv, "m.yaml").vmEnv, { GOGC: "off" });
  const fromHost = withEnv.replace('value: "off"', "valueFrom: HOST");
  assert.throws(() => parseManifest(fromHost, "m.yaml"), (e: unknown) => e instanceof UserError && /valueFrom HOST is not supported locally/.test(e.message));
});
