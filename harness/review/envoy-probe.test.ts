import assert from "node:assert/strict";
import { test } from "node:test";
import { p50Overhead } from "./envoy-probe.ts";

test("p50 overhead is the difference of the two medians, whatever the order of samples", () => {
  assert.equal(p50Overhead([5, 1, 3], [0.5, 0.25, 1]), 2.5);
  assert.equal(p50Overhead([0.6501, 0.7], [0.4, 0.41]), 0.25);
});

test("no samples, no overhead figure", () => {
  assert.equal(p50Overhead([], [1]), undefined);
  assert.equal(p50Overhead([1], []), undefined);
});
