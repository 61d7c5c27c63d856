/**
 * The head of an HTTP/1.1 request as text lines: the request line, a Host line when the headers carry none, then
 * the headers in order. Reports, replays and raw cases add their own framing (Content-Length, chunked, trailers).
 */
export function http1HeadLines(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>, host: string): string[] {
  const hasHost = headers.some(([n]) => n.toLowerCase() === "host");
  return [`${method} ${path} HTTP/1.1`, ...(hasHost ? [] : [`Host: ${host}`]), ...headers.map(([n, v]) => `${n}: ${v}`)];
}
