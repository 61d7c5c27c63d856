/** A request as the harness describes it: plain data, independent of the client that sends it. */
export interface RequestSpec {
  /** Stable id, e.g. `conformance/banned-header-upper` or `sqli-001/query/url`. */
  id: string;
  method: string;
  /** Path plus query string, already encoded as it should appear on the wire. */
  path: string;
  /** Ordered header list; duplicates allowed. Host is set by the target unless given here. */
  headers: Array<[name: string, value: string]>;
  body?: string | Uint8Array;
  /**
   * Send the body without a Content-Length (chunked over HTTP/1.1, bare DATA frames over HTTP/2), then these
   * trailers: request shapes only HTTP/2 makes common (coraza-proxy-wasm #289).
   */
  streamed?: { trailers: Array<[name: string, value: string]> };
}

const BODY_HEAD_BYTES = 1024;
const BODY_KEPT_BYTES = 256 * 1024;

/** A response as an Outcome: the first KiB always, the body (up to 256 KiB) when the caller keeps it. */
export function responseOutcome(status: number, headers: Record<string, string | string[]>, body: Buffer, elapsedMs: number, keepBody = true): Outcome {
  return {
    kind: "response",
    status,
    headers,
    bodyHead: body.subarray(0, BODY_HEAD_BYTES).toString("utf8"),
    ...(keepBody && { body: body.subarray(0, BODY_KEPT_BYTES).toString("utf8") }),
    elapsedMs,
  };
}

/** What came back, or what went wrong on the way. */
export type Outcome =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string | string[]>;
      /** The first bytes of the body, decoded as UTF-8 (enough for reports and echo checks). */
      bodyHead: string;
      /** The whole body (up to 256 KiB), when the caller asked for it (e.g. to compare httpbin's echo). */
      body?: string;
      elapsedMs: number;
    }
  | { kind: "error"; code: string; message: string; elapsedMs: number };
