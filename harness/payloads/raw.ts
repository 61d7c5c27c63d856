import type { RequestSpec } from "../http/index.ts";

/** Raw text as written in YAML: bare `\n` line ends become CRLF unless the author already wrote CRLF somewhere. */
export function normalizeRaw(text: string): string {
  return text.includes("\r\n") ? text : text.replace(/\n/g, "\r\n");
}

/** Best-effort method, path, headers and body of raw request text, for reports (the text itself is what is sent). */
export function parseRaw(raw: string): Omit<RequestSpec, "id"> {
  const end = raw.indexOf("\r\n\r\n");
  const head = end === -1 ? raw : raw.slice(0, end);
  const [requestLine = "", ...lines] = head.split("\r\n");
  const [method = "GET", path = "/"] = requestLine.split(" ");
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0 && !/^\s/.test(line)) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const body = end === -1 ? "" : raw.slice(end + 4);
  return { method, path, headers, ...(body !== "" && { body }) };
}
