import assert from "node:assert/strict";
import { test } from "node:test";
import { computeDetection } from "./detection.ts";
import { matrixRow, matrixSpec } from "./paranoia-matrix.ts";
import { renderSvg } from "./render-svg.ts";

const detection = computeDetection(
  [
    { id: "a", class: "sqli", owasp2025: "A05:2025", expect: "block", judgement: "true-positive", informational: false },
    { id: "b", class: "sqli", owasp2025: "A05:2025", expect: "block", judgement: "bypass", informational: true, paranoia: 3 },
    { id: "c", class: "benign", owasp2025: "A05:2025", expect: "allow", judgement: "true-negative", informational: false },
  ],
  1,
);

test("a matrix row counts every request, informational ones included", () => {
  const row = matrixRow(1, detection);
  assert.deepEqual(row, { paranoiaLevel: 1, attacks: 2, blocked: 1, blockedPct: 50, benign: 1, falsePositives: 0, falsePositivePct: 0, blockedCi95: row.blockedCi95, falsePositiveCi95: row.falsePositiveCi95, infra: 0 });
  assert.ok(row.blockedCi95![0] < 50 && row.blockedCi95![1] > 50);
  assert.equal(row.falsePositiveCi95![0], 0);
});

test("the matrix plot renders to SVG with one point per level and measure", async () => {
  const svg = await renderSvg(matrixSpec([matrixRow(1, detection), { ...matrixRow(2, detection), paranoiaLevel: 2, blockedPct: 80 }], "test"));
  assert.match(svg, /^<svg/);
  assert.match(svg, /PL2/);
  assert.match(svg, /false positives/);
});
