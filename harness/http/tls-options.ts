import { readFileSync } from "node:fs";
import type { Target } from "./target.ts";

/** How every client of the harness (undici, raw sockets, Node's http2, the ALPN check) meets a target's TLS. */
export function tlsConnectOptions(target: Pick<Target, "tls" | "hostHeader">): { ca?: Buffer; rejectUnauthorized: boolean; servername?: string } {
  const tls = target.tls;
  return {
    rejectUnauthorized: !(tls?.insecure ?? false),
    ca: tls?.caFile ? readFileSync(tls.caFile) : undefined,
    servername: tls?.servername ?? target.hostHeader,
  };
}
