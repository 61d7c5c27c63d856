/**
 * Parses the first HTTP/1.x response in a byte buffer; undefined until its head and body are complete.
 * `bodyless`: the request was a HEAD (its response announces a length but carries no body).
 */
export function parseRawResponse(data: Buffer, bodyless = false): { status: number; headers: Record<string, string | string[]>; body: Buffer } | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine = "", ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const match = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`not an HTTP response: ${statusLine.slice(0, 80)}`);
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = headers[name];
    headers[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const body = data.subarray(end + 4);
  const status = Number(match[1]);
  if (bodyless || status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, headers, body: Buffer.alloc(0) };
  const length = Number(headers["content-length"]);
  if (Number.isFinite(length) && body.length < length) return undefined;
  if (String(headers["transfer-encoding"] ?? "").includes("chunked") && !body.includes("\r\n0\r\n\r\n") && !body.subarray(0, 5).equals(Buffer.from("0\r\n\r\n")))
    return undefined;
  return { status, headers, body: Number.isFinite(length) ? body.subarray(0, length) : body };
}
