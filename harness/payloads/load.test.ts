import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { UserError } from "../errors.ts";
import { DEFAULT_PAYLOAD_DIR, loadCorpus, parseCorpusFile, payloadDirs } from "./load.ts";

const DEFAULTS = `defaults:
  class: sqli
  owasp2025: A05:2025
  owasp2021: A03:2021
  cwe: CWE-89
  severity: critical
  expect: block
cases:
`;
const file = (...cases: string[]) => DEFAULTS + cases.map((c) => `  - ${c}\n`).join("");
const ok = `{id: sqli-001, title: ok, payload: "' or 1=1", placements: [query]}`;

/** [name, file text, the exact one-line message] */
const malformed: Array<[string, string, string]> = [
  ["misspelled placement", file(`{id: sqli-003, title: t, payload: x, placements: [query, qurey]}`),
    `payloads/sqli.yaml: case sqli-003: placements.1: invalid value "qurey" (did you mean "query"?)`],
  ["misspelled encoding", file(`{id: sqli-003, title: t, payload: x, placements: [query], encodings: [base65]}`),
    `payloads/sqli.yaml: case sqli-003: encodings.0: invalid value "base65" (did you mean "base64"?)`],
  ["header placement without a name", file(`{id: sqli-003, title: t, payload: x, placements: ["header:"]}`),
    `payloads/sqli.yaml: case sqli-003: placements.0: invalid value "header:" (header:<name> needs a header name of token characters)`],
  ["unknown field", file(`{id: sqli-003, title: t, payload: x, placement: [query]}`),
    `payloads/sqli.yaml: case sqli-003: unknown field "placement" (did you mean "placements"?)`],
  ["neither payload nor request", file(`{id: sqli-003, title: t, placements: [query]}`),
    `payloads/sqli.yaml: case sqli-003: payload: a case needs exactly one of payload or request`],
  ["payload without placements", file(`{id: sqli-003, title: t, payload: x}`),
    `payloads/sqli.yaml: case sqli-003: placements: required with payload`],
  ["id not kebab-case", file(`{id: Sqli_3, title: t, payload: x, placements: [query]}`),
    `payloads/sqli.yaml: case Sqli_3: id: invalid value "Sqli_3": must be kebab-case (a-z, 0-9, single dashes)`],
  ["missing id", file(`{title: t, payload: x, placements: [query]}`),
    `payloads/sqli.yaml: cases.0: id: required`],
  ["paranoia out of range", file(`{id: sqli-003, title: t, payload: x, placements: [query], paranoia: 5}`),
    `payloads/sqli.yaml: case sqli-003: paranoia: invalid value 5: Too big: expected number to be <=4`],
  ["wrong type", file(`{id: sqli-003, title: t, payload: 3, placements: [query]}`),
    `payloads/sqli.yaml: case sqli-003: payload: expected string, got number 3`],
  ["invalid severity", file(`{id: sqli-003, title: t, payload: x, placements: [query], severity: high}`),
    `payloads/sqli.yaml: case sqli-003: severity: invalid value "high"`],
  ["benign that expects block", file(`{id: b-1, title: t, payload: x, placements: [query], class: benign}`),
    `payloads/sqli.yaml: case b-1: expect: benign cases expect allow`],
  ["repeated placement", file(`{id: sqli-003, title: t, payload: x, placements: [query, query]}`),
    `payloads/sqli.yaml: case sqli-003: placements: must not repeat a value`],
  ["bad exclude pattern", file(`{id: sqli-003, title: t, payload: x, placements: [query], exclude: [json/urll]}`),
    `payloads/sqli.yaml: case sqli-003: exclude.0: unknown encoding "urll"`],
  ["exclude leaves nothing", file(`{id: sqli-003, title: t, payload: x, placements: [query], exclude: ["*/none"]}`),
    `payloads/sqli.yaml: case sqli-003: exclude: leaves no placement/encoding pair to send`],
  ["raw without an empty line", file(`{id: sqli-003, title: t, request: {raw: "GET / HTTP/1.1\\nHost: x\\n"}}`),
    `payloads/sqli.yaml: case sqli-003: request.raw: must end its header section with an empty line`],
  ["lower-case method", file(`{id: sqli-003, title: t, request: {method: get, path: /}}`),
    `payloads/sqli.yaml: case sqli-003: request.method: invalid value "get": must be an upper-case HTTP method`],
  ["missing class (no defaults)", `cases:\n  - {id: x-1, title: t, payload: x, placements: [query], owasp2025: A05:2025, owasp2021: A03:2021, cwe: CWE-89, severity: minor, expect: block}\n`,
    `payloads/sqli.yaml: case x-1: class: required`],
  ["bad OWASP id in defaults", DEFAULTS.replace("A05:2025", "A5:2025") + `  - ${ok}\n`,
    `payloads/sqli.yaml: defaults.owasp2025: invalid value "A5:2025": must look like A05:2025`],
  ["duplicate id in one file", file(ok, ok), `payloads/sqli.yaml: duplicate case id "sqli-001"`],
  ["no cases key", "cazes: []\n", `payloads/sqli.yaml: cases: required`],
  ["empty file", "", `payloads/sqli.yaml: empty file (expected a mapping with cases: [...])`],
  ["YAML syntax error", "cases:\n  - id: a\n    title: Struts: OGNL\n", `payloads/sqli.yaml:3: invalid YAML: Nested mappings are not allowed in compact mappings`],
  ["duplicate YAML key", "cases:\n  - id: a\n    id: b\n", `payloads/sqli.yaml:3: invalid YAML: Map keys must be unique`],
];

describe("parseCorpusFile", () => {
  for (const [name, text, message] of malformed) {
    it(`rejects ${name} with one line`, () => {
      assert.throws(() => parseCorpusFile(text, "payloads/sqli.yaml"), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(error.message, message);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    });
  }

  it("applies file defaults and records the source", () => {
    const [c] = parseCorpusFile(file(ok), "payloads/sqli.yaml");
    assert.equal(c!.class, "sqli");
    assert.equal(c!.severity, "critical");
    assert.equal(c!.source, "payloads/sqli.yaml");
  });

  it("does not give payload defaults (placements, encodings) to request cases", () => {
    const text = DEFAULTS.replace("cases:", "  placements: [query]\n  encodings: [none, url]\ncases:") +
      `  - {id: r-1, title: t, request: {path: /get}}\n`;
    const [c] = parseCorpusFile(text, "x.yaml");
    assert.equal(c!.placements, undefined);
    assert.equal(c!.encodings, undefined);
  });
});

describe("loadCorpus", () => {
  const root = mkdtempSync(join(tmpdir(), "wafcheck-payloads-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = (name: string, files: Record<string, string>) => {
    const path = join(root, name);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(path, file, ".."), { recursive: true });
      writeFileSync(join(path, file), text);
    }
    return path;
  };

  it("loads *.yaml recursively, in path order, ignoring other files", () => {
    const d = dir("ok", {
      "b.yaml": file(`{id: b-1, title: t, payload: x, placements: [query]}`),
      "a.yaml": file(`{id: a-1, title: t, payload: x, placements: [query]}`),
      "sub/c.yml": file(`{id: c-1, title: t, payload: x, placements: [query]}`),
      "README.md": "# not a corpus",
      "schema.json": "{}",
    });
    assert.deepEqual(loadCorpus([d]).map((c) => c.id), ["a-1", "b-1", "c-1"]);
  });

  it("names both files for an id used twice", () => {
    const one = dir("dup1", { "x.yaml": file(`{id: same-1, title: t, payload: x, placements: [query]}`) });
    const two = dir("dup2", { "y.yaml": file(`{id: same-1, title: t, payload: x, placements: [query]}`) });
    assert.throws(() => loadCorpus([one, two]), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /^duplicate case id "same-1" in .*dup1\/x\.yaml and .*dup2\/y\.yaml$/);
      return true;
    });
  });

  it("rejects a missing or empty directory", () => {
    assert.throws(() => loadCorpus([join(root, "nope")]), /^UserError: payload directory not found: .*nope$/);
    assert.throws(() => loadCorpus([dir("empty", { "notes.txt": "" })]), /has no \*\.yaml case files/);
  });
});

describe("payloadDirs", () => {
  it("is the project corpus plus WAF_PAYLOADS entries", () => {
    assert.deepEqual(payloadDirs({}), [DEFAULT_PAYLOAD_DIR]);
    assert.deepEqual(payloadDirs({ WAF_PAYLOADS: "/a, /b ,," }), [DEFAULT_PAYLOAD_DIR, "/a", "/b"]);
  });
});
