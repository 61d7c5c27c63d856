import type { RequestSpec } from "./request.ts";

/** A curl command that replays the request, for reports. Header values must already be redacted. */
export function curlReproducer(baseUrl: string, spec: Pick<RequestSpec, "method" | "path" | "headers" | "body">, options: readonly string[] = []): string {
  const parts = ["curl", "-sS", "-i", "--path-as-is", ...options.map(shellQuote)];
  if (spec.method === "HEAD") parts.push("-I");
  else if (spec.method !== "GET" || spec.body !== undefined) parts.push("-X", shellQuote(spec.method));
  for (const [name, value] of spec.headers) parts.push("-H", shellQuote(`${name}: ${value}`));
  if (spec.body !== undefined) {
    const text = typeof spec.body === "string" ? spec.body : Buffer.from(spec.body).toString("latin1");
    parts.push("--data-binary", shellQuote(text));
  }
  parts.push(shellQuote(`${baseUrl}${spec.path}`));
  return parts.join(" ");
}

/** POSIX single-quoting: safe for any byte except NUL. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./:=@%+,]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** For requests curl cannot send (duplicate Host, CL+TE, folded lines): the bytes, piped to nc or openssl. */
export function rawReproducer(baseUrl: string, raw: string): string {
  const url = new URL(baseUrl);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const bytes = `$'${raw.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\r/g, "\\r").replace(/\n/g, "\\n")}'`;
  // nc -w 5: give up 5 s after the last byte (the proxy keeps the connection open after its answer).
  const sink = url.protocol === "https:" ? `openssl s_client -quiet -connect ${url.hostname}:${port}` : `nc -w 5 ${url.hostname} ${port}`;
  return `printf '%s' ${bytes} | ${sink}`;
}
