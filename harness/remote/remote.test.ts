import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { Outcome, Target } from "../http/index.ts";
import { parseManifest } from "../manifest/index.ts";
import { canaryFor, judgeCanary } from "./canary.ts";
import { checkGates } from "./gates.ts";
import { dryRunEntry, limitsPerWorker, shardTotal, Throttle, workersArgs } from "../engine/index.ts";
import { computeDrift, type VerdictsFile } from "../report/index.ts";

const seedText = readFileSync(new URL("../../envoy-local/wasm-plugin.yaml", import.meta.url), "utf8");
const seed = parseManifest(seedText, "wasm-plugin.yaml");

test("throttle paces requests at the rate (fake clock) and caps requests in flight", async () => {
  let now = 0;
  const sleeps: number[] = [];
  const t = new Throttle(4, 2, () => now, async (ms) => {
    sleeps.push(ms);
    now += ms;
  });
  let inFlight = 0;
  let peak = 0;
  const starts: number[] = [];
  await Promise.all(
    Array.from({ length: 6 }, () =>
      t.run(async () => {
        starts.push(now);
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
      }),
    ),
  );
  assert.ok(peak <= 2, `peak ${peak}`);
  assert.deepEqual(starts, [0, 250, 500, 750, 1000, 1250]);
});

test("throttle holds the real rate: 6 requests at 20/s take at least 0.25 s", async () => {
  const t = new Throttle(20, 4);
  const started = performance.now();
  await Promise.all(Array.from({ length: 6 }, () => t.run(async () => undefined)));
  assert.ok(performance.now() - started >= 240);
});

test("limits are divided across Playwright workers; workers capped at the target's concurrency", () => {
  assert.deepEqual(limitsPerWorker({ rateLimit: 10, concurrency: 4 }, 2), { ratePerSecond: 5, concurrency: 2 });
  assert.deepEqual(limitsPerWorker({ rateLimit: 10, concurrency: 1 }, 1), { ratePerSecond: 10, concurrency: 1 });
  assert.equal(limitsPerWorker({}, 4), undefined);
  assert.deepEqual(workersArgs(["--grep", "x"], 2, 4), { argv: ["--grep", "x", "--workers=2"], workers: 2 });
  assert.deepEqual(workersArgs(["--workers=1"], 2, 4), { argv: ["--workers=1"], workers: 1 });
  assert.deepEqual(workersArgs(["-j", "2"], 3, 4).workers, 2);
  assert.throws(() => workersArgs(["--workers", "8"], 2, 4), /exceeds the target's concurrency cap \(2\)/);
  assert.throws(() => workersArgs(["--workers=50%"], 2, 4), /whole number/);
});

test("shards of a remote run may all run at once: each gets its share of the concurrency cap (and of the rate, in the workers)", () => {
  assert.equal(shardTotal(["--shard=2/3"]), 3);
  assert.equal(shardTotal(["--shard", "1/2"]), 2);
  assert.equal(shardTotal(["--grep", "x"]), 1);
  assert.deepEqual(workersArgs(["--shard=1/2"], 4, 4), { argv: ["--shard=1/2", "--workers=2"], workers: 2 });
  assert.throws(() => workersArgs(["--shard=1/2", "--workers=3"], 4, 4), /exceeds the target's concurrency cap \(2\)/);
  assert.throws(() => workersArgs(["--shard=1/3"], 2, 4), /allows 2 request\(s\) in flight, fewer than 3 shards/);
  // 2 shards × 2 workers: each worker's throttle is a quarter of the target's rate.
  assert.deepEqual(limitsPerWorker({ rateLimit: 20, concurrency: 4 }, 2 * 2), { ratePerSecond: 5, concurrency: 1 });
});

const response = (status: number, headers: Record<string, string> = {}): Outcome => ({ kind: "response", status, headers, bodyHead: "", elapsedMs: 1 });

test("canary: the seed's banned header when its rule is configured; judged 200 / 403", () => {
  const canary = canaryFor(seed);
  assert.deepEqual(canary.banned.map((b) => b.header), ["x-user-type: baned"]);
  assert.equal(canary.banned[0]!.spec.id, "canary/banned");
  assert.deepEqual(canary.banned[0]!.spec.headers.at(-1), ["x-user-type", "baned"]);
  assert.equal(judgeCanary(canary, response(200, { "x-envoy-upstream-service-time": "1" }), [response(403)]).ok, true);
  assert.equal(judgeCanary(canary, response(200), [response(406)], [406]).ok, true, "a gateway denying with its own status");
  assert.match(judgeCanary(canary, response(200), [response(403)], [406]).reason!, /expected HTTP 406/);
  const inactive = judgeCanary(canary, response(200), [response(200)]);
  assert.equal(inactive.ok, false);
  assert.match(inactive.reason!, /"x-user-type: baned" got HTTP 200, expected HTTP 403/);
  assert.match(judgeCanary(canary, response(403), [response(403)]).reason!, /a normal GET \/get got HTTP 403/);
  assert.match(judgeCanary(canary, { kind: "error", code: "ECONNREFUSED", message: "x", elapsedMs: 1 }, [response(403)]).reason!, /did not answer/);
  const none = parseManifest(seedText.replace(/.*x-user-type.*\n/, ""), "m.yaml");
  assert.throws(() => canaryFor(none), /m\.yaml: no canary/);
});

test("canary: a manifest canary header is checked besides the seed's banned header, not instead of it", () => {
  const annotate = (text: string, header: string) => text.replace("metadata:\n", `metadata:\n  annotations:\n    wafcheck.io/canary-header: "${header}"\n`);
  const both = canaryFor(parseManifest(annotate(seedText, "x-canary: wafcheck"), "m"));
  assert.deepEqual(both.banned.map((b) => [b.header, b.spec.id, b.spec.headers.at(-1)]), [
    ["x-user-type: baned", "canary/banned", ["x-user-type", "baned"]],
    ["x-canary: wafcheck", "canary/manifest-header", ["x-canary", "wafcheck"]],
  ]);
  assert.equal(judgeCanary(both, response(200), [response(403), response(403)]).ok, true);
  // The seed config without the manifest's own canary rule: the seed header alone would have passed.
  const seedOnly = judgeCanary(both, response(200), [response(403), response(200)]);
  assert.equal(seedOnly.ok, false);
  assert.match(seedOnly.reason!, /"x-canary: wafcheck" got HTTP 200, expected HTTP 403/);
  assert.doesNotMatch(seedOnly.reason!, /x-user-type/);
  const canaryOnly = judgeCanary(both, response(200), [response(200), response(403)]);
  assert.match(canaryOnly.reason!, /"x-user-type: baned" got HTTP 200/);
  assert.deepEqual(canaryOnly.banned, [{ header: "x-user-type: baned", got: "HTTP 200" }, { header: "x-canary: wafcheck", got: "HTTP 403" }]);
  // Without the seed rule in the config, the annotation is the only check (the seed header could never pass).
  const other = canaryFor(parseManifest(annotate(seedText.replace(/.*x-user-type.*\n/, ""), "x-canary: wafcheck"), "m"));
  assert.deepEqual(other.banned.map((b) => b.header), ["x-canary: wafcheck"]);
  // Naming the seed header again adds no second probe; a malformed annotation is one line.
  assert.equal(canaryFor(parseManifest(annotate(seedText, "x-user-type: baned"), "m")).banned.length, 1);
  assert.throws(() => canaryFor(parseManifest(annotate(seedText, "no-colon"), "m")), /wafcheck\.io\/canary-header="no-colon": expected "name: value"/);
});

const verdicts = (name: string, requests: VerdictsFile["requests"]): VerdictsFile => ({
  schemaVersion: 1,
  generatedAt: "",
  target: { name, url: "" },
  manifest: "m",
  pluginConfigSha256: "h",
  stack: null,
  requests,
});

test("drift lists requests whose verdicts differ; infra and one-sided requests apart", () => {
  const local = verdicts("local", {
    a: { verdict: "blocked", test: "A" },
    b: { verdict: "allowed", test: "B" },
    c: { verdict: "blocked", test: "C" },
    d: { verdict: "allowed", test: "D" },
    l: { verdict: "allowed", test: "L" },
  });
  const remote = verdicts("gw", {
    a: { verdict: "blocked", test: "A" },
    b: { verdict: "blocked", test: "B" },
    c: { verdict: "infra", test: "C" },
    d: { verdict: "allowed", test: "D" },
    r: { verdict: "allowed", test: "R" },
  });
  const drift = computeDrift(local, remote, "local run");
  assert.equal(drift.compared, 4);
  assert.deepEqual(drift.cases, [{ id: "b", test: "B", local: "allowed", remote: "blocked" }]);
  assert.deepEqual(drift.infra.map((c) => c.id), ["c"]);
  assert.deepEqual(drift.onlyLocal, ["l"]);
  assert.deepEqual(drift.onlyRemote, ["r"]);
});

test("gates: failures, infra, drift and a drop in passed tests fail; a clean run passes", () => {
  const summary = (suites: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ schemaVersion: 1, target: { name: "gw", url: "" }, suites, ...extra });
  const clean = summary({ conformance: { passed: 10, failed: 0, skipped: 1, infra: 0 } }, { drift: { target: "gw", cases: [], compared: 10 } });
  assert.equal(checkGates(clean).passed, true);
  assert.equal(checkGates(undefined).passed, false);
  assert.equal(checkGates(summary({ conformance: { passed: 9, failed: 1, skipped: 0, infra: 0 } })).passed, false);
  assert.equal(checkGates(summary({ conformance: { passed: 9, failed: 0, skipped: 0, infra: 1 } })).passed, false);
  assert.equal(checkGates(summary({ conformance: { passed: 9, failed: 0, skipped: 0, infra: 1 } }), { maxInfra: 1 }).passed, true);
  const drifted = summary({ conformance: { passed: 10, failed: 0, skipped: 0, infra: 0 } }, { drift: { target: "gw", cases: [{ id: "x", local: "blocked", remote: "allowed" }] } });
  assert.match(checkGates(drifted).lines.join("\n"), /FAIL drift: 1 case\(s\) differ from the local run: x \(local blocked, remote allowed\)/);
  assert.equal(checkGates(drifted, { allowDrift: true }).passed, true);
  assert.match(checkGates(clean, { previous: summary({ conformance: { passed: 12, failed: 0, skipped: 0, infra: 0 } }) }).lines.join("\n"), /fewer than last run's 12/);
  assert.equal(checkGates(summary({})).passed, false, "no test ran");
  const stale = { ...drifted, target: { name: "local", url: "" } };
  assert.equal(checkGates(stale).passed, true, "another target's drift section is stale, not this run's");
});

test("dry-run entries redact secret headers and values", () => {
  const target: Target = {
    name: "gw",
    kind: "remote",
    baseUrl: "https://gw.example.test",
    hostHeader: "app.example.test",
    headers: { Authorization: "Bearer top-secret-token" },
    allowlist: ["gw.example.test", "app.example.test"],
  };
  const e = dryRunEntry(target, { id: "x", method: "GET", path: "/get?q=1", headers: [["x-user-type", "baned"]] }, target.baseUrl);
  assert.equal(e.url, "https://gw.example.test/get?q=1");
  assert.doesNotMatch(e.curl, /top-secret-token/);
  assert.match(e.curl, /Authorization: \[REDACTED\]/);
  assert.match(e.curl, /host: app\.example\.test/);
});
