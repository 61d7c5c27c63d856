import type { StackInfo } from "../stack/index.ts";
import type { HttpVersion, Target } from "../http/index.ts";

/** A named Host, as real clients send: a numeric Host alone scores CRS anomaly points (rule 920350). */
export const LOCAL_HOST_HEADER = "app.wafcheck.test";

/**
 * `hostHeader` selects another directive set of the same Envoy (per_authority_directives). HTTP/2 goes to the same
 * filters behind TLS (ALPN h2), trusting only the run's own CA.
 */
export function localTarget(stack: StackInfo, hostHeader = LOCAL_HOST_HEADER, http: HttpVersion = "1.1"): Target {
  return {
    name: "local",
    kind: "local",
    baseUrl: http === "2" ? stack.tls.gatewayUrl : stack.gatewayUrl,
    ...(http === "2" && { http, tls: { caFile: stack.tls.caFile, servername: hostHeader } }),
    hostHeader,
    headers: {},
    allowlist: ["127.0.0.1", "localhost", hostHeader],
    upstreamUrl: stack.upstreamUrl,
    baselineUrl: stack.baselineUrl,
  };
}
