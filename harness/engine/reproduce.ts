import {
  curlReproducer, effectiveHeaders, rawReproducer, redactText, streamedReproducer, type ReplayTarget, type RequestSpec,
  type Target,
} from "../http/index.ts";

/** The configured secret values (target headers), to scrub from any free text that could echo them. */
export function secretValues(target: Pick<Target, "headers">): string[] {
  return Object.values(target.headers);
}

/**
 * curl's options for the target's TLS and HTTP version. The local stack's CA file goes with the stack, so a local
 * replay skips verification (-k); a gateway's replay trusts what the target trusts.
 */
function curlTlsOptions(target: Partial<Pick<Target, "http" | "tls" | "kind">>, baseUrl: string): string[] {
  const options = target.http === "2" ? ["--http2"] : [];
  if (!baseUrl.startsWith("https:")) return options;
  if (target.kind === "local" || target.tls?.insecure) return [...options, "-k"];
  return target.tls?.caFile ? [...options, "--cacert", target.tls.caFile] : options;
}

/**
 * The shell variable a replay reads its URL from: UPSTREAM_URL for a request sent to the app directly, else
 * GATEWAY_URL (both as `npm run stack` prints them); the run's URL is the default, for local stacks and gateways.
 */
export function replayVariable(target: Partial<Pick<Target, "upstreamUrl">>, baseUrl: string): "GATEWAY_URL" | "UPSTREAM_URL" {
  return target.upstreamUrl !== undefined && baseUrl === target.upstreamUrl ? "UPSTREAM_URL" : "GATEWAY_URL";
}

/**
 * A command that sends the same bytes again: curl, printf | nc for raw and streamed HTTP/1.1 requests, nghttp for
 * streamed HTTP/2 ones. Configured secrets redacted. It is built from the values the record keeps (engine.ts: headers
 * with the configured ones redacted, body and raw text scrubbed), because a large body goes into a replay file that
 * the report writes from the record (replay-files.ts), and the file's name carries a hash of those bytes.
 * Run it from the reports folder, with GATEWAY_URL (or UPSTREAM_URL) set to the stack to replay against.
 */
export function reproducer(target: Pick<Target, "hostHeader" | "headers"> & Partial<Pick<Target, "http" | "tls" | "kind" | "upstreamUrl">>, baseUrl: string, spec: RequestSpec, raw?: string): string {
  const secrets = secretValues(target);
  const scrub = (text: string) => redactText(text, secrets);
  const replay: ReplayTarget = { baseUrl, variable: replayVariable(target, baseUrl), id: spec.id };
  const body = spec.body === undefined ? undefined : typeof spec.body === "string" ? scrub(spec.body) : Buffer.from(scrub(Buffer.from(spec.body).toString("latin1")), "latin1");
  const sent = { ...spec, headers: effectiveHeaders(target, spec, true), ...(body !== undefined && { body }) };
  const text =
    raw !== undefined
      ? rawReproducer(replay, scrub(raw))
      : spec.streamed
        ? streamedReproducer(replay, { ...sent, streamed: spec.streamed }, target.http === "2")
        : curlReproducer(replay, sent, curlTlsOptions(target, baseUrl));
  return scrub(text);
}
