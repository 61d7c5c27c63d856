/** Headers a current desktop browser sends, so that CRS scores only the payload (no "missing Accept" noise). */
export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export const ACCEPT_HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
export const ACCEPT_JSON = "application/json, text/plain, */*";

/** The default header list for a request; Host is left to the target. */
export function browserHeaders(accept: string = ACCEPT_HTML): Array<[string, string]> {
  return [
    ["User-Agent", BROWSER_USER_AGENT],
    ["Accept", accept],
    ["Accept-Language", "en-US,en;q=0.9"],
  ];
}

/** Sets a header: replaces the first one of that name (case-insensitive), or appends it. Returns a new list. */
export function setHeader(headers: Array<[string, string]>, name: string, value: string): Array<[string, string]> {
  const lower = name.toLowerCase();
  const index = headers.findIndex(([n]) => n.toLowerCase() === lower);
  if (index === -1) return [...headers, [name, value]];
  return headers.map((h, i) => (i === index ? [name, value] : h));
}

/** A fixed, browser-shaped multipart boundary (deterministic output). */
export const MULTIPART_BOUNDARY = "----WebKitFormBoundaryWafcheck7Rq2Xz";
