import assert from "node:assert/strict";
import { test } from "node:test";
import { shapeIndexFor } from "./mix.ts";

test("attacks come at exactly the share, spread evenly; benign shapes take turns", () => {
  const picks = Array.from({ length: 1000 }, (_, i) => shapeIndexFor(i, 0.1, 2, 1));
  assert.equal(picks.filter((p) => p.attack).length, 100);
  // never two attacks in a row at 10 %
  assert.ok(!picks.some((p, i) => p.attack && picks[i + 1]?.attack));
  const benign = picks.filter((p) => !p.attack).map((p) => p.index);
  assert.equal(benign.filter((x) => x === 0).length, 450);
  assert.equal(benign.filter((x) => x === 1).length, 450);
  assert.equal(Array.from({ length: 100 }, (_, i) => shapeIndexFor(i, 0, 2, 1)).filter((p) => p.attack).length, 0);
  assert.equal(Array.from({ length: 100 }, (_, i) => shapeIndexFor(i, 1, 2, 1)).filter((p) => p.attack).length, 100);
  assert.throws(() => shapeIndexFor(0, 1.5, 2, 1), RangeError);
});
