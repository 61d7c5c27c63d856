import assert from "node:assert/strict";
import { test } from "node:test";
import { includedFiles, removedIds, ruleCatalog } from "./catalog.ts";
import { directivesOf, parseRuleFile } from "./rule-file.ts";

// Shaped like CRS 4's rule files (written for this test).
const SQLI = `# a comment \\
SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 1" "id:942011,phase:1,pass,nolog,tag:'OWASP_CRS',skipAfter:END-942"
SecRule ARGS "@detectSQLi" \\
    "id:942100,\\
    phase:2,\\
    block,\\
    msg:'SQL Injection Attack Detected via libinjection',\\
    tag:'attack-sqli',\\
    tag:'paranoia-level/1',\\
    ver:'OWASP_CRS/4.14.0',\\
    severity:'CRITICAL',\\
    setvar:'tx.inbound_anomaly_score_pl1=+%{tx.critical_anomaly_score}'"
SecRule ARGS "@rx x" "id:942200,phase:2,block,msg:'chained',tag:'attack-sqli',tag:'paranoia-level/2',severity:'WARNING',chain"
    SecRule MATCHED_VARS "@rx y" "setvar:'tx.inbound_anomaly_score_pl2=+%{tx.warning_anomaly_score}'"
SecMarker "END-942"
`;
const BLOCKING = `SecRule TX:BLOCKING_INBOUND_ANOMALY_SCORE "@ge %{tx.inbound_anomaly_score_threshold}" "id:949110,phase:2,deny,msg:'Inbound Anomaly Score Exceeded',severity:'CRITICAL',setvar:'tx.inbound_anomaly_score_pl1=+%{tx.critical_anomaly_score}'"`;

test("directives: comments dropped, continued lines joined", () => {
  const ds = directivesOf(SQLI);
  assert.equal(ds.length, 5);
  assert.match(ds[1]!, /^SecRule ARGS "@detectSQLi" +"id:942100, +phase:2/);
});

test("a rule file: ids, paranoia level, anomaly points, nolog, chains folded into their first rule", () => {
  const rules = parseRuleFile("REQUEST-942-APPLICATION-ATTACK-SQLI.conf", SQLI);
  assert.deepEqual(rules.map((r) => r.id), [942011, 942100, 942200]);
  const [skip, sqli, chained] = rules;
  assert.equal(skip!.kind, "control");
  assert.equal(skip!.logs, false);
  assert.deepEqual([sqli!.kind, sqli!.paranoia, sqli!.phase, sqli!.score, sqli!.msg], ["detection", 1, 2, { direction: "inbound", points: 5 }, "SQL Injection Attack Detected via libinjection"]);
  assert.deepEqual(chained!.score, { direction: "inbound", points: 3 }); // the setvar on the chain's last link
  assert.equal(chained!.paranoia, 2);
  // The blocking evaluation is never a detection rule, whatever it sets.
  assert.equal(parseRuleFile("REQUEST-949-BLOCKING-EVALUATION.conf", BLOCKING)[0]!.kind, "evaluation");
});

test("includes select the embedded files; SecRuleRemoveById/ByTag remove rules", () => {
  const available = ["REQUEST-942-APPLICATION-ATTACK-SQLI.conf", "REQUEST-949-BLOCKING-EVALUATION.conf", "x.data"];
  assert.deepEqual(includedFiles(["@crs-setup-conf", "@owasp_crs/*.conf"], available), available.slice(0, 2));
  assert.deepEqual(includedFiles(["@owasp_crs/REQUEST-949-*.conf"], available), [available[1]]);
  assert.deepEqual(removedIds('SecRuleRemoveById 942100 "942200-942202"'), [942100, 942200, 942201, 942202]);
  const files = [{ name: available[0]!, text: SQLI }, { name: available[1]!, text: BLOCKING }];
  const c = ruleCatalog({ source: "test", files, includes: ["@owasp_crs/*.conf"], exclusions: ["SecRuleRemoveById 942100"] });
  assert.deepEqual(c.rules.map((r) => r.id), [942011, 942200, 949110]);
  assert.deepEqual(c.removed, [942100]);
  assert.equal(c.crsVersion, "4.14.0");
  assert.deepEqual(ruleCatalog({ source: "test", files, includes: ["@owasp_crs/*.conf"], exclusions: ["SecRuleRemoveByTag attack-sqli"] }).removed, [942100, 942200]);
});
