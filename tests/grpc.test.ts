// WAF_GRPC: what the Coraza plug-in inspects in gRPC calls (application/grpc over h2c) on the real local stack with
// a real gRPC upstream (Go, FROM scratch). The probe's own checks can fail: the seed rule sent as gRPC metadata must
// be denied by the WAF (rule 101 in its log), and a benign call must reach the upstream where no WAF rule stops it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { grpcSection, runGrpcProbe } from "../harness/grpc/index.ts";
import { loadManifest } from "../harness/manifest/index.ts";
import { startLocalStack } from "../harness/stack/index.ts";
import { ROOT, runCli, tempReports } from "./support/cli.ts";

test("gRPC through the WAF: the seed rule denies it as metadata, CRS blocks application/grpc at PL1 and reads the protobuf as raw bytes", async () => {
  const manifest = await loadManifest(join(ROOT, "envoy-local/wasm-plugin.yaml"));
  await using stack = await startLocalStack({ manifest, grpc: true });
  assert.ok(stack.grpc, "the stack names its gRPC upstream");
  const results = await runGrpcProbe(stack.info());
  const by = (id: string) => results.find((r) => r.id === id)!;
  const ids = (id: string) => (by(id).rules ?? []).map((r) => r.id);

  // The gRPC route works: without the WAF a benign call reaches the upstream, which echoes the string field.
  assert.equal(by("baseline/benign/body").grpcStatus, 0, JSON.stringify(by("baseline/benign/body")));
  assert.equal(by("baseline/benign/body").echoed, "wireless headphones");
  // With body inspection off for gRPC, a benign call goes through the WAF to the upstream, the body intact.
  const through = by("grpc-headers-only/benign/body");
  assert.deepEqual([through.grpcStatus, through.reachedUpstream, through.echoed, ids(through.id)], [0, true, "wireless headphones", []]);
  assert.equal(by("grpc-headers-only/xss/body").echoed, "<script>alert(1)</script>", "an attack in a body the WAF does not read reaches the app");

  // The WAF is in the gRPC path: the tutorial's banned header as metadata is denied by rule 101 under every set.
  for (const mode of ["configured", "grpc-allowed", "grpc-headers-only"]) {
    const seed = by(`${mode}/seed-rule/metadata`);
    assert.equal(seed.reachedUpstream, false, `${mode}: x-user-type: baned reached the upstream`);
    assert.ok([7, 14].includes(seed.grpcStatus ?? -1) || seed.status === 403, JSON.stringify(seed));
    assert.deepEqual(ids(seed.id), [101]);
    assert.equal(seed.interrupted?.phase, "http_request_headers");
  }

  // The manifest's PL1: application/grpc is not an allowed content type (920420), so benign calls are blocked.
  const benign = by("configured/benign/body");
  assert.deepEqual([benign.status, benign.grpcStatus, benign.reachedUpstream], [200, 7, false], "Envoy turns the WAF's 403 into gRPC PERMISSION_DENIED");
  assert.ok(ids(benign.id).includes(920420), JSON.stringify(benign.rules));

  // With application/grpc allowed, the body is parsed as URL-encoded bytes: the payload shows up in ARGS_POST_NAMES.
  const sqli = by("grpc-allowed/sqli/body");
  assert.ok(ids(sqli.id).includes(942100), JSON.stringify(sqli.rules));
  assert.match(sqli.rules!.find((r) => r.id === 942100)!.data ?? "", /ARGS_POST_NAMES/);
  assert.equal(by("grpc-allowed/benign/body").interrupted?.phase, "http_request_body", "the framing alone blocks a benign call in phase 2");

  const section = grpcSection(results);
  assert.deepEqual([section.routeWorks, section.wafInPath, section.contentTypeBlocked, section.bodyInspected, section.benignPassesHeadersOnly, section.errors], [true, true, true, true, true, 0], section.finding);
  assert.equal(section.placements["grpc-allowed"].path.detected, 5);
  assert.ok(section.placements["grpc-headers-only"].metadata.blocked < 5, "CRS at PL1 does not read every attack class in custom metadata");
  assert.match(section.finding, /CRS does see protobuf payloads, but only as raw bytes/);
});

test("WAF_GRPC=on npm run waf merges the grpc section into summary.json and adds one Allure result per call", async () => {
  const reports = await tempReports();
  const run = await runCli("waf", { WAF_REPORTS_DIR: reports, WAF_GRPC: "on", WAF_LATENCY_PROBE: "off" }, ["--", "--grep", "conformance"], 600_000);
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  assert.match(run.stderr, /\[waf\] gRPC: With the manifest's own settings every gRPC call is blocked/);
  const summary = JSON.parse(readFileSync(join(reports, "summary.json"), "utf8"));
  assert.equal(summary.grpc.measured, true);
  assert.ok(summary.detection || summary.suites, "the suites' sections are kept");
  const results = readdirSync(join(reports, "allure-results")).filter((f) => f.endsWith("-result.json")).map((f) => JSON.parse(readFileSync(join(reports, "allure-results", f), "utf8")));
  const grpc = results.filter((r) => String(r.fullName).startsWith("grpc › "));
  assert.equal(grpc.length, summary.grpc.calls.length);
  assert.ok(grpc.some((r) => r.status === "passed") && grpc.some((r) => r.status === "failed"));
});
