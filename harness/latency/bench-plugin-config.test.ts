import assert from "node:assert/strict";
import { test } from "node:test";
import { paranoiaOf } from "../manifest/index.ts";
import { BENCH_HOSTS, benchmarkPluginConfig } from "./bench-plugin-config.ts";

const crs = {
  directives_map: { default: ['SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=1"', "Include @owasp_crs/*.conf"] },
  default_directives: "default",
};

test("the default set stays as the manifest has it; seed and paranoia sets are added by Host", () => {
  const bench = benchmarkPluginConfig(crs, 3, "m.yaml");
  assert.deepEqual(bench.directives_map.default, crs.directives_map.default);
  assert.equal(bench.default_directives, "default");
  assert.equal(bench.per_authority_directives?.[BENCH_HOSTS.seed], "wafcheck-seed");
  assert.equal(paranoiaOf(bench.directives_map[bench.per_authority_directives![BENCH_HOSTS.paranoia]!]!), 3);
});

test("without WAF_PARANOIA there is no paranoia set", () => {
  const bench = benchmarkPluginConfig(crs, undefined, "m.yaml");
  assert.equal(bench.directives_map["wafcheck-paranoia"], undefined);
});
