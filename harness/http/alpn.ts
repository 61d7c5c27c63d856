import { connect } from "node:tls";
import { UserError } from "../errors.ts";
import type { Target } from "./target.ts";
import { tlsConnectOptions } from "./tls-options.ts";

/**
 * WAF_HTTP=2 against a gateway: asks it for h2 by ALPN before any request, so that a gateway that only speaks
 * HTTP/1.1 stops the run with one line instead of quietly giving an HTTP/1.1 report labelled HTTP/2.
 */
export async function assertOffersHttp2(target: Target, timeoutMs = 10_000): Promise<void> {
  const url = new URL(target.baseUrl);
  if (url.protocol !== "https:")
    throw new UserError(`target ${target.name}: WAF_HTTP=2 needs an https:// URL (HTTP/2 is negotiated by TLS ALPN), not ${url.origin}`);
  const chosen = await new Promise<string | false>((resolve, reject) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      ...tlsConnectOptions(target),
      servername: target.tls?.servername ?? target.hostHeader ?? url.hostname,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once("secureConnect", () => {
      resolve(socket.alpnProtocol ?? false);
      socket.end();
    });
    socket.once("error", reject);
  }).catch((error: Error) => {
    throw new UserError(`target ${target.name}: TLS handshake with ${url.host} failed (${error.message}); cannot ask it for HTTP/2`, 3);
  });
  if (chosen !== "h2")
    throw new UserError(`target ${target.name}: ${url.host} does not offer HTTP/2 by ALPN (it chose ${chosen || "no protocol"}); WAF_HTTP=2 or both needs a gateway that speaks HTTP/2`, 3);
}
