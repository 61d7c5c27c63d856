import assert from "node:assert/strict";
import { test } from "node:test";
import { assertAllowed } from "../http/index.ts";
import { parseTargetsFile, remoteTarget } from "./targets-file.ts";

const file = `
targets:
  staging:
    url: https://gw.staging.example.test
    host: app.example.test
    headers:
      Authorization: { env: STAGING_AUTH }
    allowlist: [gw.staging.example.test, app.example.test]
`;

test("a remote target reads secret headers from the environment", () => {
  const targets = parseTargetsFile(file, "targets.yaml");
  const target = remoteTarget("staging", targets.staging!, "targets.yaml", { STAGING_AUTH: "Bearer x" });
  assert.equal(target.headers.Authorization, "Bearer x");
  assert.equal(target.rateLimit, 10);
});

test("a missing secret is one clear line", () => {
  const targets = parseTargetsFile(file, "targets.yaml");
  assert.throws(() => remoteTarget("staging", targets.staging!, "targets.yaml", {}), /targets\.staging\.headers\.Authorization: environment variable STAGING_AUTH is not set/);
});

test("a remote target without an allowlist is refused", () => {
  assert.throws(() => parseTargetsFile(file.replace(/ {4}allowlist.*\n/, ""), "t.yaml"), /t\.yaml: targets\.staging\.allowlist: /);
});

test("an inline header value (a secret in the file) is refused", () => {
  assert.throws(() => parseTargetsFile(file.replace("{ env: STAGING_AUTH }", "Bearer abc"), "t.yaml"), /t\.yaml: targets\.staging\.headers\.Authorization/);
});

test("hosts off the allowlist are refused before sending", () => {
  const t = { name: "s", allowlist: ["gw.example.test"] };
  assert.doesNotThrow(() => assertAllowed(t, "https://gw.example.test/x"));
  assert.throws(() => assertAllowed(t, "https://evil.example.test/"), /evil\.example\.test is not on its allowlist/);
  assert.throws(() => assertAllowed(t, "https://gw.example.test/", "other.example.test"), /other\.example\.test is not on its allowlist/);
});

test("classes: a corpus class is accepted, a typo is one line naming the field and the value", () => {
  const withClasses = (list: string) => file.replace("    allowlist:", `    classes: ${list}\n    allowlist:`);
  assert.deepEqual(parseTargetsFile(withClasses("[sqli, xss, benign]"), "t.yaml").staging!.classes, ["sqli", "xss", "benign"]);
  assert.throws(() => parseTargetsFile(withClasses("[sqli, xxs]"), "t.yaml"), (e: Error) => /^t\.yaml: targets\.staging\.classes\.1: /.test(e.message) && /xxs|xss/.test(e.message));
});

test("blockStatuses: a gateway that denies with another status", () => {
  const withStatuses = (list: string) => file.replace("    allowlist:", `    blockStatuses: ${list}\n    allowlist:`);
  const targets = parseTargetsFile(withStatuses("[403, 406]"), "t.yaml");
  assert.deepEqual(remoteTarget("staging", targets.staging!, "t.yaml", { STAGING_AUTH: "x" }).blockStatuses, [403, 406]);
  assert.throws(() => parseTargetsFile(withStatuses("[200]"), "t.yaml"), /t\.yaml: targets\.staging\.blockStatuses\.0: invalid value 200: /);
});
