/**
 * Where a request goes and the request target it carries, as the corpus wrote it: a URL parser would re-encode `'`
 * to `%27` and resolve `/../`, changing the attack. Only a target a client cannot send at all (bytes outside
 * 0x21–0xFF, which undici and Node refuse) falls back to the URL parser's form.
 */
export function requestTarget(baseUrl: string, path: string): { origin: string; path: string } {
  const base = new URL(baseUrl);
  const written = `${base.pathname.replace(/\/$/, "")}${path}`;
  if (!UNSENDABLE.test(written)) return { origin: base.origin, path: written };
  const parsed = new URL(`${baseUrl}${path}`);
  return { origin: base.origin, path: `${parsed.pathname}${parsed.search}` };
}

const UNSENDABLE = /[^\u0021-\u00ff]/;
