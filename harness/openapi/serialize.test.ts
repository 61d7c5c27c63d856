// OpenAPI parameter styles on the wire (the spec's style examples: color = blue, [blue, black, brown], {R:100,G:200,B:150}).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Parameter } from "./operation.ts";
import { cookiePiece, formBody, headerValue, pathValue, pct, queryPieces } from "./serialize.ts";

const p = (over: Partial<Parameter>): Parameter => ({ name: "color", in: "query", required: false, schema: {}, style: "form", explode: true, allowReserved: false, ...over });
const arr = ["blue", "black", "brown"];
const obj = { R: 100, G: 200, B: 150 };

test("path styles: simple, label, matrix", () => {
  assert.equal(pathValue(p({ in: "path", style: "simple", explode: false }), arr), "blue,black,brown");
  assert.equal(pathValue(p({ in: "path", style: "simple", explode: true }), obj), "R=100,G=200,B=150");
  assert.equal(pathValue(p({ in: "path", style: "label", explode: false }), arr), ".blue,black,brown");
  assert.equal(pathValue(p({ in: "path", style: "label", explode: true }), arr), ".blue.black.brown");
  assert.equal(pathValue(p({ in: "path", style: "matrix", explode: true }), arr), ";color=blue;color=black;color=brown");
  assert.equal(pathValue(p({ in: "path", style: "simple" }), "../etc/passwd"), "..%2Fetc%2Fpasswd");
});

test("query styles: form (exploded or not), spaceDelimited, pipeDelimited, deepObject; allowReserved", () => {
  assert.deepEqual(queryPieces(p({}), arr), ["color=blue", "color=black", "color=brown"]);
  assert.deepEqual(queryPieces(p({ explode: false }), arr), ["color=blue,black,brown"]);
  assert.deepEqual(queryPieces(p({ style: "spaceDelimited", explode: false }), arr), ["color=blue%20black%20brown"]);
  assert.deepEqual(queryPieces(p({ style: "pipeDelimited", explode: false }), arr), ["color=blue|black|brown"]);
  assert.deepEqual(queryPieces(p({ style: "deepObject" }), obj), ["color%5BR%5D=100", "color%5BG%5D=200", "color%5BB%5D=150"]);
  assert.deepEqual(queryPieces(p({}), "' OR 1=1--"), ["color=%27%20OR%201%3D1--"]);
  assert.deepEqual(queryPieces(p({ allowReserved: true }), "a/b?c"), ["color=a/b?c"]);
});

test("headers refuse line breaks and non-Latin-1; cookies and forms are percent-encoded", () => {
  assert.equal(headerValue(p({ in: "header", style: "simple" }), arr), "blue,black,brown");
  assert.equal(headerValue(p({ in: "header", style: "simple" }), "a\r\nb"), undefined);
  assert.equal(headerValue(p({ in: "header", style: "simple" }), "日本"), undefined);
  assert.equal(cookiePiece(p({ in: "cookie", name: "sid" }), "a;b c"), "sid=a%3Bb%20c");
  assert.equal(formBody({ q: "x&y=z", tags: ["a", "b"] }), "q=x%26y%3Dz&tags=a&tags=b");
  assert.equal(pct("\ud800"), "%EF%BF%BD", "a lone surrogate does not throw");
});
