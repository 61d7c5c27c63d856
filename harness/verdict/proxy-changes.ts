/**
 * What Envoy changed on the way to the app, judged from httpbin's echo of the request it received. Only the
 * part of the request that carries the payload is compared, so an allowed attack is called "changed by proxy"
 * only when the payload itself did not arrive as sent.
 */
export function proxyChanges(
  sent: { path: string; headers: ReadonlyArray<readonly [string, string]>; placement: string; body?: string | Uint8Array },
  echoJson: string | undefined,
): string[] {
  if (echoJson === undefined) return [];
  let echo: { url?: string; headers?: Record<string, string[] | string> };
  try {
    echo = JSON.parse(echoJson) as typeof echo;
  } catch {
    return []; // not httpbin's echo (e.g. a static path): nothing to compare
  }
  if (typeof echo !== "object" || echo === null || echo.headers === undefined) return []; // an error page, not an echo
  const headerName = sent.placement.startsWith("header:") ? sent.placement.slice(7) : sent.placement === "cookie" ? "cookie" : undefined;
  if (headerName) {
    const sentValues = sent.headers.filter(([n]) => n.toLowerCase() === headerName.toLowerCase()).map(([, v]) => v);
    const received = receivedHeader(echo.headers ?? {}, headerName);
    if (sentValues.length === 0) return [];
    if (received.length === 0) return [`header ${headerName} did not reach the app`];
    const joined = (values: string[]) => values.join(headerName.toLowerCase() === "cookie" ? "; " : ", ");
    if (joined(received) !== joined(sentValues)) return [`header ${headerName} changed: sent ${clip(joined(sentValues))}, app got ${clip(joined(received))}`];
    return [];
  }
  if (sent.placement === "raw") return [...rawHeaderChanges(sent.headers, echo.headers ?? {}), ...trailerChanges(sent.headers, sent.body, echo.headers ?? {})];
  if (sent.placement === "path" && echo.url) {
    const received = pathOf(echo.url);
    if (received !== undefined && decodeSafe(received) !== decodeSafe(sent.path.split("?")[0]!))
      return [`path changed: sent ${clip(sent.path)}, app got ${clip(received)}`];
  }
  return [];
}

/** Raw requests: every header as written (duplicates, folded lines) against what the app received. */
function rawHeaderChanges(sent: ReadonlyArray<readonly [string, string]>, received: Record<string, string[] | string>): string[] {
  const changes: string[] = [];
  // Hop-by-hop fields (RFC 9110 7.6.1) end at the first proxy by design: their absence says nothing about the payload.
  const names = [...new Set(sent.map(([n]) => n.toLowerCase()))].filter((n) => !HOP_BY_HOP.has(n));
  for (const name of names) {
    if (name === "content-length" && sent.some(([n]) => n.toLowerCase() === "transfer-encoding")) continue; // reported via transfer-encoding
    const values = sent.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    const got = receivedHeader(received, name);
    if (got.length === 0) changes.push(`header ${name} did not reach the app`);
    else if (values.length > 1 && got.length === 1) changes.push(`${values.length} ${name} headers were merged into one: ${clip(got[0]!)}`);
    else if (got.join(", ") !== values.join(", ")) changes.push(`header ${name} changed: sent ${clip(values.join(", "))}, app got ${clip(got.join(", "))}`);
  }
  return changes;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "upgrade", "http2-settings", "te", "trailer"]);

/** A chunked body's trailer fields (a payload may sit there): each must reach the app, or Envoy dropped it. */
function trailerChanges(sent: ReadonlyArray<readonly [string, string]>, body: string | Uint8Array | undefined, received: Record<string, string[] | string>): string[] {
  const chunked = sent.some(([n, v]) => n.toLowerCase() === "transfer-encoding" && /chunked/i.test(v));
  if (!chunked || body === undefined) return [];
  const text = typeof body === "string" ? body : Buffer.from(body).toString("latin1");
  const m = /(?:^|\r\n)0+(?:;[^\r\n]*)?\r\n((?:[^\r\n]+\r\n)+)/.exec(text);
  if (!m) return [];
  return m[1]!
    .split("\r\n")
    .filter((line) => line.includes(":"))
    .map((line) => line.slice(0, line.indexOf(":")).trim())
    .filter((name) => receivedHeader(received, name).length === 0)
    .map((name) => `trailer field ${name.toLowerCase()} did not reach the app`);
}

function receivedHeader(headers: Record<string, string[] | string>, name: string): string[] {
  const entry = Object.entries(headers).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  return entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
}

function pathOf(url: string): string | undefined {
  const m = /^[a-z]+:\/\/[^/]*(\/[^?#]*)/i.exec(url);
  return m?.[1];
}

function decodeSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
