import { randomUUID } from "node:crypto";
import http2 from "node:http2";
import { CORRELATION_HEADER, correlationId, GRPC_ALLOWED_AUTHORITY, GRPC_AUTHORITY, GRPC_HEADERS_ONLY_AUTHORITY } from "../envoy/index.ts";
import { request } from "undici";
import { WafLog } from "../engine/index.ts";
import { LOCAL_HOST_HEADER } from "../targets/index.ts";
import type { StackInfo } from "../stack/index.ts";
import { grpcCalls, type GrpcCall, type GrpcCallResult } from "./grpc-finding.ts";
import { decodeStringResponse, GRPC_SERVICE_PATH, grpcStringRequest } from "./grpc-frame.ts";

const CALL_TIMEOUT_MS = 10_000;
/** At most this long for the WAF's log to catch up (a WAF that logs nothing); normally milliseconds. */
const LOG_WAIT_MS = 10_000;

/**
 * Sends every call of grpcCalls() as a unary gRPC call over h2c (HTTP/2 with prior knowledge, node:http2) to a stack
 * started with `grpc: true`, one at a time, and joins each to the WAF's log by its correlation id.
 */
export async function runGrpcProbe(stack: Pick<StackInfo, "gatewayUrl" | "baselineUrl" | "envoyLogFile" | "grpc">, log: (line: string) => void = () => {}): Promise<GrpcCallResult[]> {
  if (!stack.grpc) throw new Error("the stack runs no gRPC upstream (start it with grpc: true)");
  const prefix = `wc-grpc-${randomUUID().slice(0, 8)}`;
  // The engine's log follower: after the calls, one sentinel request proves the log has caught up (no fixed waits).
  const wafLog = new WafLog(stack.envoyLogFile, prefix);
  const calls = grpcCalls();
  const sessions = { waf: http2.connect(stack.gatewayUrl), baseline: http2.connect(stack.baselineUrl) };
  for (const s of Object.values(sessions)) s.on("error", () => undefined); // a refused or reset session fails its calls
  const results: GrpcCallResult[] = [];
  const ids = new Map<string, string>();
  try {
    for (const [i, call] of calls.entries()) {
      const requestId = correlationId(prefix, i);
      ids.set(call.id, requestId);
      results.push(await sendCall(call.mode === "baseline" ? sessions.baseline : sessions.waf, call, requestId));
    }
  } finally {
    for (const s of Object.values(sessions)) s.close();
  }
  log(`gRPC probe: ${results.length} calls sent; reading the WAF's log…`);
  const sentinelId = correlationId(prefix, calls.length);
  const sentinel = () => request(`${stack.gatewayUrl}/status/204`, { headers: { host: LOCAL_HOST_HEADER, [CORRELATION_HEADER]: sentinelId, "user-agent": "wafcheck", accept: "*/*" } }).then((r) => r.body.dump());
  const evidence = await wafLog.settle(calls.filter((c) => c.mode !== "baseline").map((c) => ids.get(c.id)!), sentinelId, sentinel, LOG_WAIT_MS);
  return results.map((r) => {
    if (r.mode === "baseline") return r;
    const tx = evidence.get(ids.get(r.id)!);
    if (tx?.kind !== "logged") return { ...r, rules: [], logIncomplete: true };
    return { ...r, rules: tx.rules.map(({ id, msg, data }) => ({ id, ...(msg !== undefined && { msg }), ...(data !== undefined && { data }) })), ...(tx.interrupted && { interrupted: tx.interrupted }), ...(!tx.complete && { logIncomplete: true }) };
  });
}

/** The call's :path: the service method, with the payload as a query parameter for the path placement. */
export function callPath(call: GrpcCall): string {
  return call.placement === "path" ? `${GRPC_SERVICE_PATH}?q=${encodeURIComponent(call.payload)}` : GRPC_SERVICE_PATH;
}

function sendCall(session: http2.ClientHttp2Session, call: GrpcCall, requestId: string): Promise<GrpcCallResult> {
  const started = performance.now();
  const headers: http2.OutgoingHttpHeaders = {
    ":method": "POST",
    ":path": callPath(call),
    ":authority": call.mode === "grpc-allowed" ? GRPC_ALLOWED_AUTHORITY : call.mode === "grpc-headers-only" ? GRPC_HEADERS_ONLY_AUTHORITY : GRPC_AUTHORITY,
    "content-type": "application/grpc",
    te: "trailers",
    "user-agent": "grpc-node-wafcheck/1.0",
    [CORRELATION_HEADER]: requestId,
    ...(call.placement === "metadata" && { "x-search": call.payload }),
    ...call.metadata,
  };
  const body = grpcStringRequest(call.placement === "body" ? call.payload : "wireless headphones");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let response: http2.IncomingHttpHeaders | undefined;
    let trailers: http2.IncomingHttpHeaders | undefined;
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      const all = { ...response, ...trailers };
      const grpcStatus = all["grpc-status"] === undefined ? undefined : Number(all["grpc-status"]);
      const grpcMessage = all["grpc-message"] === undefined ? undefined : decodeURIComponent(String(all["grpc-message"]));
      const reachedUpstream = response?.["x-received-length"] !== undefined;
      const echoed = reachedUpstream ? decodeStringResponse(Buffer.concat(chunks)) : undefined;
      resolve({
        ...call,
        ...(response && { status: Number(response[":status"]) }),
        ...(grpcStatus !== undefined && { grpcStatus }),
        ...(grpcMessage && { grpcMessage }),
        reachedUpstream,
        ...(echoed !== undefined && { echoed }),
        ...(error !== undefined && { error }),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    };
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers);
    } catch (error) {
      finish((error as Error).message);
      return;
    }
    stream.setTimeout(CALL_TIMEOUT_MS, () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      finish(`no answer within ${CALL_TIMEOUT_MS / 1000} s`);
    });
    stream.on("response", (h) => (response = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => finish());
    stream.on("close", () => finish(response ? undefined : `stream closed without a response (code ${stream.rstCode})`));
    stream.on("error", (e: Error) => finish(e.message));
    stream.end(body);
  });
}
