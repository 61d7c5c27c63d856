// Turns corpus requests (payloads/*.yaml, expanded) into one Playwright test each. Suites stay thin:
// data in, one request, one judgement.
import * as allure from "allure-js-commons";
import { parseEnv } from "../harness/config/env.ts";
import { paranoiaOfConfig } from "../harness/config/run-paranoia.ts";
import { capabilitiesOf, unmetRequirement } from "../harness/manifest/capabilities.ts";
import { loadManifest } from "../harness/manifest/load-manifest.ts";
import type { Requirement } from "../harness/payloads/schema.ts";
import { readCorpusFile } from "../harness/payloads/corpus-file.ts";
import { withCorrelationPath } from "../harness/payloads/correlation.ts";
import { findGap, loadExceptions, type AcceptedGap } from "../harness/payloads/exceptions.ts";
import { expandCases, type ExpandedRequest } from "../harness/payloads/expand.ts";
import { loadCorpus, payloadDirs } from "../harness/payloads/load.ts";
import { owasp2025Name } from "../harness/payloads/owasp-names.ts";
import { corpusAnnotation } from "../harness/report/detection.ts";
import { RuleLog } from "../harness/stack/matched-rules.ts";
import { readStackFile } from "../harness/stack/stack-file.ts";
import { judge } from "../harness/verdict/expectation.ts";
import { proxyChanges } from "../harness/verdict/proxy-changes.ts";
import { describeOutcome, masksUpstreamError } from "../harness/verdict/verdict.ts";
import { test as base, expect } from "./fixtures.ts";

interface RunContext {
  paranoia: number;
  gaps: AcceptedGap[];
  /** WAF settings of the run's manifest that cases may require. */
  capabilities: Set<Requirement>;
  /** Local runs only: Envoy's log, for the CRS rules each request matched. */
  ruleLog?: RuleLog;
}

const test = base.extend<{}, { run: RunContext }>({
  run: [
    async ({}, use) => {
      const env = parseEnv();
      const stack = env.WAF_STACK_FILE && env.WAF_TARGET === "local" ? readStackFile(env.WAF_STACK_FILE) : undefined;
      const { pluginConfig } = await loadManifest(env.WAF_PLUGIN);
      await use({
        paranoia: paranoiaOfConfig(pluginConfig, env),
        gaps: loadExceptions(payloadDirs()),
        capabilities: capabilitiesOf(pluginConfig),
        ruleLog: stack?.envoyLogFile ? new RuleLog(stack.envoyLogFile) : undefined,
      });
    },
    { scope: "worker" },
  ],
});

/** The expanded corpus (project payloads plus WAF_PAYLOADS dirs): from `npm run waf`'s JSON file, or the YAML. */
export function corpusRequests(expect: "block" | "allow"): ExpandedRequest[] {
  const file = process.env.WAF_CORPUS_FILE;
  const all = file ? readCorpusFile(file) : expandCases(loadCorpus(payloadDirs()));
  return all.filter((r) => r.expect === expect);
}

export function defineCorpusTests(requests: readonly ExpandedRequest[]): void {
  for (const original of requests) {
    const request = withCorrelationPath(original);
    test(`${request.id}: ${request.title}`, { tag: [`@${request.class}`, `@${request.owasp2025}`] }, async ({ waf, target, run }) => {
      test.skip(target.classes !== undefined && !target.classes.includes(request.class), `class ${request.class} is not allowed on target ${target.name}`);
      await allure.epic(owasp2025Name(request.owasp2025));
      await allure.feature(request.class);
      await allure.story(`${request.placement} / ${request.encoding}`);
      await allure.severity(request.severity);
      await allure.parameter("placement", request.placement);
      await allure.parameter("encoding", request.encoding);
      await allure.parameter("expect", request.expect);
      await allure.parameter("paranoia", String(request.paranoia ?? "-"));
      await allure.label("cwe", request.cwe);
      await allure.label("owasp2021", request.owasp2021);

      const exchange = await waf.send(request, { raw: request.transport === "raw" ? request.raw : undefined, captureBody: true, appStatus: request.appStatus });
      const { outcome } = exchange;
      let verdict = exchange.verdict;
      const rules = run.ruleLog && request.transport === "http" ? await run.ruleLog.rulesFor(request.path, verdict === "blocked" ? 500 : 0) : undefined;
      if (rules) {
        await allure.attachment("matched CRS rules", `${rules.join("\n") || "(none logged)"}\n`, "text/plain");
        const missing = request.crsRules.filter((id) => !rules.includes(id));
        // Informative, not a verdict: the request was blocked, by other rules than the case names.
        if (verdict === "blocked" && request.crsRules.length > 0 && missing.length > 0)
          await allure.attachment("expected CRS rules not matched", `${missing.join("\n")}\n`, "text/plain");
        if (verdict === "blocked" && masksUpstreamError(rules, request.appStatus)) verdict = "infra";
      }
      const sent = request.transport === "raw" ? { ...request, headers: withHost(request.headers, target.hostHeader ?? new URL(target.baseUrl).host) } : request;
      const changes = verdict === "allowed" && outcome.kind === "response" ? proxyChanges(sent, outcome.body) : [];
      const gap = findGap(run.gaps, request.id, request.caseId);
      const decision = judge({
        expect: request.expect, verdict, paranoia: request.paranoia, runParanoia: run.paranoia, acceptedGap: gap !== undefined,
        proxyChanges: changes, unmetRequirement: unmetRequirement(request.requires, run.capabilities),
      });
      if (gap) await allure.attachment("accepted gap (exceptions.yaml)", `${gap.reason}\nreviewed ${gap.date}\n`, "text/plain");
      if (changes.length > 0) await allure.attachment("changed by proxy", `${changes.join("\n")}\n`, "text/plain");
      test.info().annotations.push(corpusAnnotation(request, decision));
      if (decision.informational) await allure.tag("informational");
      if (decision.judgement === "infra") {
        test.info().annotations.push({ type: "infra", description: describeOutcome(outcome) });
        throw new Error(`${decision.message} (${describeOutcome(outcome)})`);
      }
      // An assertion (not a thrown error), so JUnit counts a bypass or false positive as a failure.
      expect(decision.fails, `${decision.message} (${describeOutcome(outcome)})`).toBe(false);
    });
  }
}

function withHost(headers: Array<[string, string]>, host: string): Array<[string, string]> {
  return headers.map(([n, v]) => [n, v.replaceAll("{{host}}", host)]);
}
