/**
 * gRPC's wire format, by hand (no gRPC library): a length-prefixed message (1 byte compressed flag, 4 bytes
 * big-endian length, the message) whose message is a protobuf with one field: number 1, wire type 2 (length-
 * delimited), a UTF-8 string. That is google.protobuf.StringValue, the request and response of wafcheck's upstream.
 */

export const GRPC_SERVICE_PATH = "/wafcheck.Echo/Search";

/** Protobuf for { 1: value } (tag 0x0a, varint length, bytes). */
export function encodeStringField(value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  return Buffer.concat([Buffer.from([0x0a]), encodeVarint(bytes.length), bytes]);
}

export function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

/** One uncompressed gRPC message frame around a protobuf. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The request body of a unary call whose StringValue is `value`. */
export function grpcStringRequest(value: string): Buffer {
  return grpcFrame(encodeStringField(value));
}

/**
 * Field 1's string from the first message of a response body, or undefined when there is no complete frame or the
 * message has no field 1 of wire type 2. An empty StringValue is encoded as an empty message: "".
 */
export function decodeStringResponse(body: Buffer): string | undefined {
  if (body.length < 5 || body[0] !== 0) return undefined;
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) return undefined;
  const message = body.subarray(5, 5 + length);
  let i = 0;
  while (i < message.length) {
    const [key, afterKey] = readVarint(message, i);
    if (afterKey === undefined) return undefined;
    const wireType = key & 7;
    if (wireType === 2) {
      const [len, afterLen] = readVarint(message, afterKey);
      if (afterLen === undefined || afterLen + len > message.length) return undefined;
      if (key >>> 3 === 1) return message.subarray(afterLen, afterLen + len).toString("utf8");
      i = afterLen + len;
    } else if (wireType === 0) {
      const [, next] = readVarint(message, afterKey);
      if (next === undefined) return undefined;
      i = next;
    } else return undefined;
  }
  return "";
}

function readVarint(buf: Buffer, start: number): [number, number | undefined] {
  let value = 0;
  let factor = 1;
  for (let i = start; i < buf.length && i < start + 5; i++) {
    value += (buf[i]! & 0x7f) * factor;
    if ((buf[i]! & 0x80) === 0) return [value, i + 1];
    factor *= 128;
  }
  return [0, undefined];
}

/** gRPC status codes the probe names (https://grpc.io status codes are public API numbers). */
export const GRPC_STATUS_NAMES: Record<number, string> = {
  0: "OK",
  1: "CANCELLED",
  2: "UNKNOWN",
  3: "INVALID_ARGUMENT",
  7: "PERMISSION_DENIED",
  12: "UNIMPLEMENTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};
