import { curlReproducer, rawReproducer } from "../http/curl.ts";
import { redactText } from "../http/redact.ts";
import { effectiveHeaders } from "../http/send.ts";
import type { RequestSpec } from "../http/request.ts";
import type { Target } from "../targets/target.ts";

/** The configured secret values (target headers), to scrub from any free text that could echo them. */
export function secretValues(target: Pick<Target, "headers">): string[] {
  return Object.values(target.headers);
}

/** A command that sends the same bytes again: curl, or printf | nc for raw requests. Configured secrets redacted. */
export function reproducer(target: Pick<Target, "hostHeader" | "headers">, baseUrl: string, spec: RequestSpec, raw?: string): string {
  const text = raw !== undefined ? rawReproducer(baseUrl, raw) : curlReproducer(baseUrl, { ...spec, headers: effectiveHeaders(target, spec, true) });
  return redactText(text, secretValues(target));
}
