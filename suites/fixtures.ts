// The one piece of Playwright glue: workers get a Target (local stack or remote gateway) and a `waf`
// client that sends a request, classifies the response and attaches a reproducer to the report.
import { test as base, expect, type TestInfo } from "@playwright/test";
import * as allure from "allure-js-commons";
import type { Dispatcher } from "undici";
import { parseEnv } from "../harness/config/env.ts";
import type { Outcome, RequestSpec } from "../harness/http/request.ts";
import { sendRaw } from "../harness/http/raw-send.ts";
import { createDispatcher, effectiveHeaders, send } from "../harness/http/send.ts";
import { createSendGuard, type SendGuard } from "../harness/remote/send-guard.ts";
import { describeExchange } from "../harness/report/exchange.ts";
import { suiteOf } from "../harness/report/summary.ts";
import { resolveTarget } from "../harness/targets/resolve-target.ts";
import { secretHeaderNames, type Target } from "../harness/targets/target.ts";
import { classify, describeOutcome, type Verdict } from "../harness/verdict/verdict.ts";

export interface Exchange {
  outcome: Outcome;
  verdict: Verdict;
}

export interface WafClient {
  /**
   * Sends through the gateway (or `via: "upstream"`: straight to httpbin, local only). `raw` writes that text to a
   * socket instead (requests HTTP clients refuse to send); `captureBody` keeps the whole body (httpbin's echo);
   * `appStatus` is the app's own answer to this request (see classify).
   */
  send(spec: RequestSpec, options?: { via?: "gateway" | "upstream"; raw?: string; captureBody?: boolean; appStatus?: number }): Promise<Exchange>;
  /** Asserts the verdict; an infrastructure error fails as such, never as a WAF verdict. */
  expectVerdict(exchange: Exchange, expected: Verdict): void;
}

export const test = base.extend<{ waf: WafClient }, { target: Target; dispatcher: Dispatcher; guard: SendGuard }>({
  target: [async ({}, use) => use(await resolveTarget(parseEnv())), { scope: "worker" }],
  dispatcher: [
    async ({ target }, use) => {
      const dispatcher = createDispatcher(target);
      await use(dispatcher);
      await dispatcher.close();
    },
    { scope: "worker" },
  ],
  // Rate limit and concurrency cap (this worker's share), --dry-run, and the verdict record for drift.
  guard: [async ({ target }, use, workerInfo) => use(createSendGuard(target, workerInfo.config.workers)), { scope: "worker" }],
  waf: async ({ target, dispatcher, guard }, use, testInfo) => {
    await allure.label("target", target.name);
    // The same suite name summary.json counts under (conformance, owasp, false-positives); titlePath[0] is the spec file.
    await allure.suite(suiteOf(testInfo.titlePath[0] ?? ""));
    await use(makeClient(target, dispatcher, guard, testInfo));
  },
});

function makeClient(target: Target, dispatcher: Dispatcher, guard: SendGuard, testInfo: TestInfo): WafClient {
  return {
    async send(spec, options = {}) {
      const baseUrl = options.via === "upstream" ? target.upstreamUrl : target.baseUrl;
      if (!baseUrl) throw new Error(`target ${target.name} has no upstream URL`);
      const outcome = await guard.run(testInfo, spec, baseUrl, () =>
        options.raw !== undefined
          ? sendRaw(target, options.raw, { baseUrl })
          : send(target, dispatcher, spec, { baseUrl, captureBody: options.captureBody }),
      );
      const verdict = classify(outcome, target.blockStatuses ? { blockStatuses: target.blockStatuses } : undefined, options.appStatus);
      guard.record(testInfo, spec.id, verdict);
      const { curl, response } = describeExchange({
        baseUrl,
        spec,
        sentHeaders: effectiveHeaders(target, spec),
        outcome,
        verdict,
        secretHeaderNames: secretHeaderNames(target),
        secretValues: Object.values(target.headers),
        raw: options.raw?.replaceAll("{{host}}", target.hostHeader ?? new URL(baseUrl).host),
      });
      await testInfo.attach(`${spec.id} request (curl)`, { body: curl, contentType: "text/plain" });
      await testInfo.attach(`${spec.id} response`, { body: response, contentType: "text/plain" });
      return { outcome, verdict };
    },
    expectVerdict(exchange, expected) {
      if (exchange.verdict === "infra") {
        testInfo.annotations.push({ type: "infra", description: describeOutcome(exchange.outcome) });
        throw new Error(`infrastructure error, not a WAF verdict: ${describeOutcome(exchange.outcome)}`);
      }
      const label =
        exchange.verdict === "rejected-by-proxy" ? "rejected by proxy (not the WAF)"
        : expected === "blocked" ? "WAF bypass"
        : expected === "allowed" ? "false positive"
        : "unexpected verdict";
      expect(exchange.verdict, `${label}: expected ${expected}, got ${exchange.verdict} (${describeOutcome(exchange.outcome)})`).toBe(expected);
    },
  };
}

export { expect };
