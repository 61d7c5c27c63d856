import assert from "node:assert/strict";
import { test } from "node:test";
import { withHttp2 } from "./http2-scenarios.ts";
import { DEFAULT_DEFINITION, loadDefinition, planCells } from "./scenarios.ts";

const def = await loadDefinition(DEFAULT_DEFINITION);
const targets = { waf: "http://127.0.0.1:1", baseline: "http://127.0.0.1:2", upstream: "http://127.0.0.1:3", waf_h2: "https://127.0.0.1:4", baseline_h2: "https://127.0.0.1:5" };

test("both: every scenario through Envoy gets an HTTP/2 twin with its own comparison; the app alone stays HTTP/1.1", () => {
  const both = withHttp2(def, "both");
  assert.deepEqual(Object.keys(both.scenarios).filter((s) => s.endsWith("_h2")).sort(), ["envoy_h2", "waf_blocked_h2", "waf_crs_h2", "waf_paranoia_h2", "waf_seed_h2"]);
  assert.equal(both.scenarios.direct!.tags.target, "upstream");
  assert.ok(both.comparisons.some((c) => c.scenario === "waf_crs_h2" && c.baseline === "envoy_h2"));
  assert.ok(!both.comparisons.some((c) => c.scenario === "envoy_h2" && c.baseline.startsWith("direct")), "the app has no HTTP/2 twin to compare with");
  const cells = planCells(both, { targets, shapes: ["get_small"] }).cells;
  const crs = cells.find((c) => c.scenario === "waf_crs_h2")!;
  assert.equal(crs.origin, targets.waf_h2);
  assert.equal(crs.http2, true);
  assert.equal(cells.find((c) => c.scenario === "waf_crs")!.http2, undefined);
});

test("2: the same scenario names, over HTTP/2", () => {
  const h2 = withHttp2(def, "2");
  assert.deepEqual(Object.keys(h2.scenarios).sort(), Object.keys(def.scenarios).sort());
  assert.deepEqual(h2.comparisons, def.comparisons);
  const cells = planCells(h2, { targets, shapes: ["get_small"] }).cells;
  assert.ok(cells.filter((c) => c.scenario !== "direct").every((c) => c.http2 && c.origin.startsWith("https:")));
});
