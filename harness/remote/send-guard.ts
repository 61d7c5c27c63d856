import { appendFileSync } from "node:fs";
import { curlReproducer } from "../http/curl.ts";
import { redactHeaders, redactText } from "../http/redact.ts";
import type { Outcome, RequestSpec } from "../http/request.ts";
import { effectiveHeaders } from "../http/send.ts";
import { assertAllowed, secretHeaderNames, type Target } from "../targets/target.ts";
import type { Verdict } from "../verdict/verdict.ts";
import { throttleFor, type Throttle } from "./throttle.ts";
import { verdictAnnotation } from "./verdicts.ts";

/** The part of Playwright's TestInfo the guard uses. */
export interface GuardTestInfo {
  annotations: Array<{ type: string; description?: string }>;
  skip(condition: boolean, description: string): void;
}

/** One line of a dry run's listing (secrets redacted). */
export interface DryRunEntry {
  id: string;
  method: string;
  url: string;
  curl: string;
}

/**
 * What stands between a suite and the network for one worker: the target's rate limit and concurrency cap
 * (this worker's share), `--dry-run` (record the request, send nothing), and the verdict record for drift.
 */
export interface SendGuard {
  run(testInfo: GuardTestInfo, spec: RequestSpec, baseUrl: string, send: () => Promise<Outcome>): Promise<Outcome>;
  record(testInfo: GuardTestInfo, requestId: string, verdict: Verdict): void;
}

export function createSendGuard(target: Target, workers: number, env: NodeJS.ProcessEnv = process.env): SendGuard {
  const throttle: Throttle | undefined = throttleFor(target, workers);
  const dryRunFile = env.WAF_DRY_RUN_FILE;
  return {
    async run(testInfo, spec, baseUrl, send) {
      if (dryRunFile) {
        const headers = effectiveHeaders(target, spec);
        assertAllowed(target, baseUrl, headers.find(([n]) => n.toLowerCase() === "host")?.[1]);
        appendFileSync(dryRunFile, `${JSON.stringify(dryRunEntry(target, spec, baseUrl))}\n`);
        testInfo.skip(true, "dry run: nothing sent");
      }
      return throttle ? throttle.run(send) : send();
    },
    record(testInfo, requestId, verdict) {
      testInfo.annotations.push(verdictAnnotation(requestId, verdict));
    },
  };
}

export function dryRunEntry(target: Target, spec: RequestSpec, baseUrl: string): DryRunEntry {
  const headers = redactHeaders(effectiveHeaders(target, spec), secretHeaderNames(target));
  return {
    id: spec.id,
    method: spec.method,
    url: `${baseUrl}${spec.path}`,
    curl: redactText(curlReproducer(baseUrl, { ...spec, headers }), Object.values(target.headers)),
  };
}
