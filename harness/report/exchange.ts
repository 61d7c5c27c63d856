import { curlReproducer, rawReproducer } from "../http/curl.ts";
import { redactHeaders, redactText } from "../http/redact.ts";
import type { Outcome, RequestSpec } from "../http/request.ts";
import type { Verdict } from "../verdict/verdict.ts";

/** The texts attached to a test's report: a curl reproducer and the response head, secrets redacted. */
export function describeExchange(input: {
  baseUrl: string;
  spec: RequestSpec;
  sentHeaders: Array<[string, string]>;
  outcome: Outcome;
  verdict: Verdict;
  secretHeaderNames: readonly string[];
  secretValues: readonly string[];
  /** Raw request text (sent to a socket as is): reproduced with printf | nc instead of curl. */
  raw?: string;
}): { curl: string; response: string } {
  const headers = redactHeaders(input.sentHeaders, input.secretHeaderNames);
  const curl = redactText(
    input.raw !== undefined ? rawReproducer(input.baseUrl, input.raw) : curlReproducer(input.baseUrl, { ...input.spec, headers }),
    input.secretValues,
  );
  const { outcome } = input;
  const response =
    outcome.kind === "error"
      ? `verdict: ${input.verdict}\nerror: ${outcome.code}: ${outcome.message}\nafter ${outcome.elapsedMs.toFixed(1)} ms\n`
      : [
          `verdict: ${input.verdict}`,
          `HTTP ${outcome.status} (${outcome.elapsedMs.toFixed(1)} ms)`,
          ...redactHeaders(flatten(outcome.headers), input.secretHeaderNames).map(([n, v]) => `${n}: ${v}`),
          "",
          outcome.bodyHead,
        ].join("\n");
  return { curl, response: redactText(response, input.secretValues) };
}

function flatten(headers: Record<string, string | string[]>): Array<[string, string]> {
  return Object.entries(headers).flatMap(([n, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [n, x]) : [[n, v]]));
}
