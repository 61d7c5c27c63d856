import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calibrationMismatches, parseMeasurements } from "./calibration.ts";
import { expandCase } from "./expand.ts";
import { caseSchema } from "./schema.ts";

const request = (id: string, expect: "block" | "allow", paranoia?: number) =>
  expandCase(caseSchema.parse({
    id, title: "t", class: expect === "block" ? "sqli" : "benign", owasp2025: "A05:2025", owasp2021: "A03:2021",
    cwe: "CWE-89", severity: "normal", expect, paranoia, payload: "x", placements: ["query"],
  }))[0]!;

describe("calibration", () => {
  it("parses the tool's lines", () => {
    const m = parseMeasurements("a/query/none\t1\t942100,942190\nb/raw/none\traw\t\nc/query/none\t0\t\n");
    assert.deepEqual(m.get("a/query/none"), { blockedAt: 1, rules: [942100, 942190] });
    assert.equal(m.get("b/raw/none"), "raw");
    assert.deepEqual(m.get("c/query/none"), { blockedAt: 0, rules: [] });
    assert.throws(() => parseMeasurements("x\t9\t\n"), /level "9"/);
  });

  const table: Array<[string, ReturnType<typeof request>, string, boolean]> = [
    ["attack blocked at its level", request("a-1", "block", 2), "2", true],
    ["attack blocked earlier", request("a-2", "block", 2), "1", true],
    ["attack blocked later", request("a-3", "block", 1), "3", false],
    ["attack never blocked", request("a-4", "block", 4), "0", false],
    ["benign never blocked", request("b-1", "allow"), "0", true],
    ["benign blocked above its level", request("b-2", "allow", 2), "3", true],
    ["benign blocked at its level", request("b-3", "allow", 2), "2", false],
    ["benign without level blocked at PL4", request("b-4", "allow"), "4", false],
  ];
  for (const [name, r, level, consistent] of table) {
    it(name, () => {
      const problems = calibrationMismatches([r], parseMeasurements(`${r.id}\t${level}\t942100\n`));
      assert.equal(problems.length === 0, consistent, problems.join("; "));
    });
  }
});
