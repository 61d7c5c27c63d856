import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { isRemoteRun, openScenario, REMOTE_SCENARIOS, selectScenarios } from "./k6-options.ts";
import { DEFAULT_DEFINITION, loadDefinition, parseDefinition, planCells } from "./scenarios.ts";

const LOCAL = { WAF_URL: "http://127.0.0.1:10000", BASELINE_URL: "http://127.0.0.1:10001", UPSTREAM_URL: "http://127.0.0.1:8080", WAF_PARANOIA_URL: "http://127.0.0.1:10000" };
/** The k6 script's lookup: <TARGET>_URL. */
const urls = (env: Record<string, string>) => (target: string) => env[`${target.toUpperCase()}_URL`];

describe("k6 scenario selection (scripts/k6/latency.ts)", () => {
  it("locally: every scenario whose target has a URL, WAF_PARANOIA_URL included", async () => {
    const def = await loadDefinition();
    const { selected, skipped } = selectScenarios(def.scenarios, urls(LOCAL), isRemoteRun(undefined, Object.values(LOCAL)));
    assert.deepEqual(selected, ["direct", "envoy", "waf_seed", "waf_crs", "waf_paranoia", "waf_blocked"]);
    assert.deepEqual(skipped, []);
    const { WAF_PARANOIA_URL: _p, UPSTREAM_URL: _u, ...some } = LOCAL;
    assert.deepEqual(selectScenarios(def.scenarios, urls(some), false).selected, ["envoy", "waf_seed", "waf_crs", "waf_blocked"]);
  });

  it("against a gateway (HOST set, or a URL that is not loopback): no waf_seed, waf_paranoia or direct", async () => {
    const def = await loadDefinition();
    assert.equal(isRemoteRun("app.example.com", [LOCAL.WAF_URL]), true);
    assert.equal(isRemoteRun(undefined, ["https://gw.staging.example.com"]), true);
    assert.equal(isRemoteRun(undefined, [LOCAL.WAF_URL, undefined, "http://localhost:1"]), false);
    // Even with every URL set, only what a one-directive-set gateway can answer under its label.
    assert.deepEqual(selectScenarios(def.scenarios, urls(LOCAL), true).selected, ["envoy", "waf_crs", "waf_blocked"]);
    const gateway = { WAF_URL: "https://gw.staging.example.com" };
    const { selected, skipped } = selectScenarios(def.scenarios, urls(gateway), true);
    assert.deepEqual(selected, ["waf_crs", "waf_blocked"]);
    assert.match(skipped.find((s) => s.scenario === "waf_seed")!.reason, /local only/);
    assert.match(skipped.find((s) => s.scenario === "envoy")!.reason, /no URL for target "baseline"/);
    assert.deepEqual(selectScenarios(def.scenarios, urls({ ...gateway, BASELINE_URL: "https://nowaf.staging.example.com" }), true).selected, ["envoy", "waf_crs", "waf_blocked"]);
  });

  it("is the same rule npm run latency applies to a remote target", async () => {
    const cli = await readFile(new URL("../../scripts/latency.ts", import.meta.url), "utf8");
    assert.match(cli, /remote \? \[\.\.\.REMOTE_SCENARIOS(, \.\.\.\(http === "both" \? REMOTE_SCENARIOS\.map\(h2Twin\) : \[\]\))?\]/);
    assert.deepEqual([...REMOTE_SCENARIOS], ["envoy", "waf_crs", "waf_blocked"]);
    const k6 = await readFile(new URL("../../scripts/k6/latency.ts", import.meta.url), "utf8");
    assert.match(k6, /selectScenarios\(def\.scenarios, urlOf, remote\)/);
  });
});

describe("k6 open model from the shared definition", () => {
  it("turns every scenario into constant-arrival-rate that the definition's own schema accepts, at equal load", async () => {
    const def = await loadDefinition();
    assert.ok(def.openModel, "scenarios.json has an openModel block");
    const raw = JSON.parse(await readFile(DEFAULT_DEFINITION, "utf8"));
    for (const [name, s] of Object.entries(def.scenarios)) {
      const open = openScenario(s, def.openModel, def.shapes.filter((shape) => shape.group === s.tags.shapeGroup));
      assert.equal(open.executor, "constant-arrival-rate");
      assert.equal(open.preAllocatedVUs, def.openModel.preAllocatedVUs);
      assert.equal(open.maxVUs, def.openModel.maxVUs);
      assert.equal(open.duration, s.duration);
      assert.deepEqual(open.tags, s.tags);
      raw.scenarios[name] = open;
    }
    // Strict k6 keys per executor, and every comparison still under equal load (same rate on both sides).
    const reparsed = parseDefinition(raw, "open.json");
    const rate = (n: string) => {
      const s = reparsed.scenarios[n]!;
      return s.executor === "constant-arrival-rate" ? `${s.rate}/${s.timeUnit}` : "closed";
    };
    // Benign: 5 shapes sent in turn, none faster than the slowest one's maxRate (post_json_10k, 1/s) → 5/s.
    assert.equal(rate("waf_crs"), "5/1s");
    assert.equal(rate("envoy"), "5/1s");
    // Blocked: one shape, maxRate 50 = the openModel rate.
    assert.equal(rate("waf_blocked"), "50/1s");
  });

  it("caps a fractional rate per minute, and keeps a rate under the cap as written", () => {
    const s = { executor: "constant-vus", vus: 1, duration: "30s", tags: { target: "waf", shapeGroup: "x" } };
    assert.deepEqual(
      [openScenario(s, { rate: 10, preAllocatedVUs: 1 }, [{ maxRate: 0.5 }])].map((o) => [o.rate, o.timeUnit]),
      [[30, "1m"]],
    );
    const under = openScenario(s, { rate: 90, timeUnit: "1m", preAllocatedVUs: 1 }, [{ maxRate: 2 }, {}]);
    assert.deepEqual([under.rate, under.timeUnit, "maxVUs" in under], [90, "1m", false]);
  });

  it("gives the engine's --model open its default rate per cell (capped per shape by maxRate)", async () => {
    const raw = JSON.parse(await readFile(DEFAULT_DEFINITION, "utf8"));
    raw.openModel = { rate: 600, timeUnit: "1m", preAllocatedVUs: 1 };
    const def = parseDefinition(raw, "x.json");
    const cells = planCells(def, { targets: { waf: "http://127.0.0.1:1" }, model: "open" }).cells;
    assert.deepEqual(cells.find((c) => c.id === "waf_crs/get_small")!.model, { kind: "open", ratePerSec: 10 });
    assert.deepEqual(cells.find((c) => c.id === "waf_crs/post_json_10k")!.model, { kind: "open", ratePerSec: 1 });
    raw.openModel = { rate: 5, preAllocatedVUs: 4, maxVUs: 2 };
    assert.throws(() => parseDefinition(raw, "x.json"), /maxVUs is below preAllocatedVUs/);
  });

  it("is what the k6 script uses when K6_MODEL=open", async () => {
    const k6 = await readFile(new URL("../../scripts/k6/latency.ts", import.meta.url), "utf8");
    assert.match(k6, /__ENV\.K6_MODEL/);
    assert.match(k6, /openScenario\(s, openModel,/);
    assert.match(k6, /from "\.\.\/\.\.\/harness\/latency\/k6-options\.ts"/);
  });
});
