import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseMatchedRules, RuleLog } from "./matched-rules.ts";

const line = (id: number, uri: string) =>
  `[2026-11-26 21:00:00.000][30][critical][wasm] [source/extensions/common/wasm/context.cc:1160] wasm log coraza coraza: [client "172.18.0.1"] Coraza: Access denied (phase 1). Inbound Anomaly Score Exceeded [file "@owasp_crs/REQUEST-949-BLOCKING-EVALUATION.conf"] [line "11429"] [id "${id}"] [rev ""] [msg "Inbound Anomaly Score Exceeded (Total Score: 20)"] [data ""] [severity "emergency"] [ver "OWASP_CRS/4.14.0"] [maturity "0"] [accuracy "0"] [tag "anomaly-evaluation"] [hostname "172.18.0.3"] [uri ${JSON.stringify(uri)}] [unique_id "abc"]`;

test("parses rule id, message and URI from Envoy's wasm log lines", () => {
  const rules = parseMatchedRules(`${line(949111, '/get?arg=<script>"x"</script>')}\nunrelated\n`);
  assert.deepEqual(rules, [{ id: 949111, uri: '/get?arg=<script>"x"</script>', msg: "Inbound Anomaly Score Exceeded (Total Score: 20)" }]);
});

test("Go \\x escapes in URIs decode", () => {
  assert.equal(parseMatchedRules(line(1, "x").replace('[uri "x"]', '[uri "/a\\x00b"]'))[0]!.uri, "/a\u0000b");
});

test("a RuleLog follows the file and waits for lines that arrive late", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "rules-")), "envoy.log");
  writeFileSync(file, `${line(1, "/old")}\n`);
  const log = new RuleLog(file);
  assert.deepEqual(await log.rulesFor("/old"), [], "lines before the log was opened are ignored");
  setTimeout(() => appendFileSync(file, `${line(941100, "/new")}\n${line(949110, "/new")}\n`), 50);
  assert.deepEqual(await log.rulesFor("/new", 1000), [941100, 949110]);
});
