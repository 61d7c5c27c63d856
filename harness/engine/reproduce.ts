import { curlReproducer, rawReproducer, streamedReproducer } from "../http/curl.ts";
import { redactText } from "../http/redact.ts";
import { effectiveHeaders } from "../http/send.ts";
import type { RequestSpec } from "../http/request.ts";
import type { Target } from "../targets/target.ts";

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

/** A command that sends the same bytes again: curl, or printf | nc for raw requests. Configured secrets redacted. */
export function reproducer(target: Pick<Target, "hostHeader" | "headers"> & Partial<Pick<Target, "http" | "tls" | "kind">>, baseUrl: string, spec: RequestSpec, raw?: string): string {
  const headers = effectiveHeaders(target, spec, true);
  const text =
    raw !== undefined
      ? rawReproducer(baseUrl, raw)
      : spec.streamed
        ? streamedReproducer(baseUrl, { ...spec, headers, streamed: spec.streamed }, target.http === "2")
        : curlReproducer(baseUrl, { ...spec, headers }, curlTlsOptions(target, baseUrl));
  return redactText(text, secretValues(target));
}
