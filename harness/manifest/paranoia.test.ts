import assert from "node:assert/strict";
import { test } from "node:test";
import { paranoiaOf, withParanoia } from "./paranoia.ts";

const crs = {
  directives_map: {
    default: ["Include @crs-setup-conf", 'SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=1"', "Include @owasp_crs/*.conf"],
  },
  default_directives: "default",
};

test("WAF_PARANOIA rewrites the declared level and nothing else", () => {
  const pl3 = withParanoia(crs, 3, "m.yaml");
  assert.equal(paranoiaOf(pl3.directives_map.default!), 3);
  assert.equal(pl3.directives_map.default![0], crs.directives_map.default[0]);
  assert.equal(paranoiaOf(crs.directives_map.default), 1, "the input is not mutated");
});

test("a config without a paranoia declaration is refused in one line", () => {
  const seed = { directives_map: { default: ["SecRuleEngine On"] }, default_directives: "default" };
  assert.throws(() => withParanoia(seed, 2, "seed.yaml"), /WAF_PARANOIA=2: seed\.yaml has no directive setting tx\.blocking_paranoia_level/);
});
