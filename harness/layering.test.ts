// The folder layering of harness/, checked. Reads every import (static, `export … from`, `import()`, `import("…")` types;
// `import type` counts too: a type is a dependency) with the TypeScript parser and fails on:
//   (a) a file importing another harness folder's internal file instead of its index.ts (harness/errors.ts is a shared
//       leaf; test fixtures `test-*.ts` may be imported directly by tests and scripts);
//   (b) a non-test harness file importing a folder that is not in a lower layer of LAYERS (same layer included);
//   (c) an index.ts re-exporting from outside its folder, or a file importing its own folder's index.ts (a barrel cycle);
//   (d) non-test harness code importing a test fixture.
// Runs from the repository root (npm test does): node --import tsx --test harness/layering.test.ts
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { test } from "node:test";
import ts from "typescript";

/** Bottom to top. A folder may import folders of lower layers only. */
const LAYERS: readonly (readonly string[])[] = [
  ["config"],
  ["manifest"],
  ["envoy"],
  ["artifacts"],
  ["stack", "http", "crs"],
  ["payloads", "verdict"],
  ["targets", "openapi"],
  ["engine"],
  ["report"],
  ["run"],
  ["latency", "grpc", "asm"],
  ["istio"],
  ["soak"],
  ["remote", "review"],
  ["ftw"],
];
const ROOT = process.cwd();
const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
const isTest = (f: string) => f.endsWith(".test.ts") || /(^|\/)test-[^/]*\.ts$/.test(f);
const isFixture = (f: string) => /(^|\/)test-[^/]*\.ts$/.test(f);
const folderOf = (f: string) => (f.startsWith("harness/") && f.split("/").length > 2 ? f.split("/")[1] : undefined);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => posix.join(posix.relative(ROOT, e.parentPath).split("\\").join("/"), e.name))
    .filter((f) => !f.includes("node_modules/") && !f.startsWith("scripts/k6/"));
}

/** Relative specifiers of a file, resolved to repository paths, with the line they are on. */
function importsOf(file: string): Array<{ to: string; line: number; reexport: boolean }> {
  const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.ES2022, true);
  const out: Array<{ to: string; line: number; reexport: boolean }> = [];
  const add = (lit: ts.Node, reexport = false) => {
    if (!ts.isStringLiteral(lit) || !lit.text.startsWith(".")) return;
    out.push({ to: posix.normalize(posix.join(posix.dirname(file), lit.text)), line: sf.getLineAndCharacterOfPosition(lit.getStart()).line + 1, reexport });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) add(n.moduleSpecifier);
    else if (ts.isExportDeclaration(n) && n.moduleSpecifier) add(n.moduleSpecifier, true);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0]) add(n.arguments[0]);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n.argument.literal);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test("harness folders import each other through index.ts, downwards only", () => {
  const files = [...["harness", "scripts", "suites", "tests"].flatMap(sourceFiles), "playwright.config.ts"];
  const problems: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    if (from !== undefined && !layerOf.has(from)) problems.push(`${file}: harness/${from} is in no layer of LAYERS`);
    for (const { to, line, reexport } of importsOf(file)) {
      const at = `${file}:${line} → ${to}`;
      const target = folderOf(to);
      if (target === undefined) continue; // harness/errors.ts, node_modules, files outside harness/
      if (target === from) {
        if (to === `harness/${target}/index.ts`) problems.push(`(c) ${at}: a folder's own files import each other directly, not through its index.ts`);
        continue;
      }
      if (file.endsWith("/index.ts") && reexport) problems.push(`(c) ${at}: an index.ts re-exports its own folder only`);
      if (isFixture(to)) {
        if (from !== undefined && !isTest(file)) problems.push(`(d) ${at}: test fixture imported by harness code`);
      } else if (to !== `harness/${target}/index.ts`) problems.push(`(a) ${at}: import harness/${target}/index.ts instead`);
      if (from !== undefined && !isTest(file) && layerOf.has(from) && layerOf.has(target) && layerOf.get(target)! >= layerOf.get(from)!)
        problems.push(`(b) ${at}: ${from} (layer ${layerOf.get(from)}) may not import ${target} (layer ${layerOf.get(target)})`);
    }
  }
  assert.equal(problems.length, 0, `${problems.length} layering problems:\n${problems.join("\n")}`);
});
