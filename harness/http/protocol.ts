import { PROTOCOL_HEADER } from "../envoy/index.ts";
import type { Target } from "./target.ts";
import type { Outcome } from "./request.ts";

/** The HTTP version of a request as recorded: "HTTP/1.1" or "HTTP/2". */
export type WireProtocol = "HTTP/1.1" | "HTTP/2";

/**
 * The version a request really went over. The local TLS listener says so in a response header (its 403s too);
 * raw request text is HTTP/1.1 by construction; otherwise what the target speaks (a remote h2 target has passed
 * the ALPN check before any request).
 */
export function wireProtocol(target: Pick<Target, "http">, outcome: Outcome, raw: boolean): WireProtocol {
  if (raw) return "HTTP/1.1";
  if (outcome.kind === "response") {
    const told = outcome.headers[PROTOCOL_HEADER];
    const value = Array.isArray(told) ? told[0] : told;
    if (value === "HTTP/2" || value === "HTTP/1.1") return value;
  }
  return target.http === "2" ? "HTTP/2" : "HTTP/1.1";
}
