import assert from "node:assert/strict";
import { test } from "node:test";
import { capabilitiesOf, unmetRequirement } from "./capabilities.ts";

const config = (...directives: string[]) => ({ directives_map: { default: directives, other: ['SecAction "id:1,setvar:tx.early_blocking=1"'] }, default_directives: "default" });
const early = (...directives: string[]) => capabilitiesOf(config(...directives)).has("early-blocking");

test("early blocking: the plug-in's embedded CRS setup turns it on, a later setvar decides", () => {
  assert.equal(early("Include @recommended-conf", "Include @crs-setup-conf", "Include @owasp_crs/*.conf"), true);
  assert.equal(early("Include @crs-setup-demo-conf"), true);
  assert.equal(early("Include @crs-setup-conf", 'SecAction "id:900121,phase:1,pass,nolog,setvar:tx.early_blocking=0"'), false);
  assert.equal(early('SecAction "id:900120,phase:1,pass,nolog,setvar:tx.early_blocking=0"', "Include @crs-setup-conf"), true, "the include runs later");
  assert.equal(early("SecAction \"id:900120,phase:1,pass,nolog,setvar:'tx.early_blocking=1'\""), true);
  assert.equal(early("Include @owasp_crs/*.conf"), false, "CRS alone defaults to 0");
  assert.equal(early(), false, "only the default directive set counts");
});

test("an unmet requirement names the setting; met or none is undefined", () => {
  assert.match(unmetRequirement(["early-blocking"], new Set()) ?? "", /tx\.early_blocking=1/);
  assert.equal(unmetRequirement(["early-blocking"], new Set(["early-blocking"])), undefined);
  assert.equal(unmetRequirement(undefined, new Set()), undefined);
});
