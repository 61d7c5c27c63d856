/**
 * The only thing a suite knows about where it sends traffic. Local and remote targets differ only in how
 * the Target was made, so a suite cannot tell a local stack from an ASM gateway.
 */
export interface Target {
  name: string;
  kind: "local" | "remote";
  /** Where requests go (the gateway, with the WAF). */
  baseUrl: string;
  /** Host header to send (remote: the gateway's virtual host; local: a named host, as real clients send). */
  hostHeader?: string;
  tls?: { insecure?: boolean; caFile?: string; servername?: string };
  /** Extra headers sent with every request (e.g. gateway auth); their values are secrets: never logged. */
  headers: Record<string, string>;
  /** Hosts the harness may send to; a request elsewhere is refused before it leaves. */
  allowlist: string[];
  /** Requests per second cap and concurrent requests cap (remote gateways). */
  rateLimit?: number;
  concurrency?: number;
  /** Payload classes allowed on this target (undefined: all). */
  classes?: string[];
  /** httpbin reached without the WAF (local only): proves a 403 comes from the WAF. */
  upstreamUrl?: string;
  /** The same backend without the WAF (optional), for overhead figures. */
  baselineUrl?: string;
  /** Statuses the WAF answers a blocked request with (undefined: Coraza's default, 403). */
  blockStatuses?: number[];
  /** The HTTP version to speak (WAF_HTTP): 1.1 (default), or 2 (negotiated by ALPN: the URL must be https). */
  http?: HttpVersion;
}

export type HttpVersion = "1.1" | "2";

/** Refuses a URL whose host is not on the target's allowlist (checked before any request leaves). */
export function assertAllowed(target: Pick<Target, "name" | "allowlist">, url: string, hostHeader?: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const hosts = hostHeader ? [host, hostHeader.replace(/:\d+$/, "")] : [host];
  for (const h of hosts) {
    if (!target.allowlist.includes(h))
      throw new Error(`target ${target.name}: ${h} is not on its allowlist (${target.allowlist.join(", ") || "empty"}); refusing to send`);
  }
}
