import type { StackInfo } from "../stack/stack.ts";
import type { Target } from "./target.ts";

/** A named Host, as real clients send: a numeric Host alone scores CRS anomaly points (rule 920350). */
export const LOCAL_HOST_HEADER = "app.wafcheck.test";

/** `hostHeader` selects another directive set of the same Envoy (per_authority_directives). */
export function localTarget(stack: StackInfo, hostHeader = LOCAL_HOST_HEADER): Target {
  return {
    name: "local",
    kind: "local",
    baseUrl: stack.gatewayUrl,
    hostHeader,
    headers: {},
    allowlist: ["127.0.0.1", "localhost", hostHeader],
    upstreamUrl: stack.upstreamUrl,
    baselineUrl: stack.baselineUrl,
  };
}
