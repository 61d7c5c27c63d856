import type { StackInfo } from "../stack/stack.ts";
import type { Target } from "./target.ts";

/** A named Host, as real clients send: a numeric Host alone scores CRS anomaly points (rule 920350). */
export const LOCAL_HOST_HEADER = "app.wafcheck.test";

export function localTarget(stack: StackInfo): Target {
  return {
    name: "local",
    kind: "local",
    baseUrl: stack.gatewayUrl,
    hostHeader: LOCAL_HOST_HEADER,
    headers: {},
    allowlist: ["127.0.0.1", "localhost", LOCAL_HOST_HEADER],
    upstreamUrl: stack.upstreamUrl,
    baselineUrl: stack.baselineUrl,
  };
}
