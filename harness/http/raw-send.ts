import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { Target } from "./target.ts";
import { assertAllowed } from "./target.ts";
import { parseRawResponse } from "./raw-response.ts";
import { responseOutcome, type Outcome } from "./request.ts";
import { tlsConnectOptions } from "./tls-options.ts";

/**
 * Writes request text to a socket exactly as given (duplicate Host, CL+TE, obs-fold… that HTTP clients refuse
 * to send) and reads one response. `{{host}}` in the text becomes the target's Host.
 */
export async function sendRaw(target: Target, rawText: string, options: { timeoutMs?: number; baseUrl?: string } = {}): Promise<Outcome> {
  const url = new URL(options.baseUrl ?? target.baseUrl);
  const host = target.hostHeader ?? url.host;
  assertAllowed(target, url.href, host);
  const text = rawText.replaceAll("{{host}}", host);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = performance.now();
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const head = /^HEAD /.test(text);
  return new Promise<Outcome>((resolve) => {
    const socket: Socket =
      url.protocol === "https:"
        ? connectTls({ host: url.hostname, port, ...tlsConnectOptions(target) })
        : connectTcp({ host: url.hostname, port });
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const elapsed = () => performance.now() - started;
    const fromData = (): Outcome | undefined => {
      try {
        const parsed = parseRawResponse(data, head);
        return parsed && responseOutcome(parsed.status, parsed.headers, parsed.body, elapsed());
      } catch (error) {
        return { kind: "error", code: "EBADRESPONSE", message: (error as Error).message, elapsedMs: elapsed() };
      }
    };
    const timer = setTimeout(() => finish(fromData() ?? { kind: "error", code: "ETIMEDOUT", message: `no complete response within ${timeoutMs} ms`, elapsedMs: elapsed() }), timeoutMs);
    // A TLS socket emits both events: write once, after the handshake.
    socket.on(url.protocol === "https:" ? "secureConnect" : "connect", () => socket.write(text, "latin1"));
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const outcome = fromData();
      if (outcome) finish(outcome);
    });
    socket.on("end", () => finish(fromData() ?? { kind: "error", code: data.length ? "EBADRESPONSE" : "ECONNRESET", message: "connection closed before a complete response", elapsedMs: elapsed() }));
    socket.on("error", (error: NodeJS.ErrnoException) => finish({ kind: "error", code: error.code ?? "EIO", message: error.message, elapsedMs: elapsed() }));
  });
}
