// Corpus requests (payloads/*.yaml, expanded) as Playwright tests: one test per corpus file and class, whose
// requests go through the engine together. Each request gets its own record (and its own Allure and JUnit result);
// the test fails once, listing every bypass or false positive, so a broken WAF costs no more than a healthy one.
import type { TestInfo } from "@playwright/test";
import type { EngineRequest } from "../harness/engine/record.ts";
import { readCorpusFile } from "../harness/payloads/corpus-file.ts";
import { expandCases, type ExpandedRequest } from "../harness/payloads/expand.ts";
import { loadCorpus, payloadDirs } from "../harness/payloads/load.ts";
import { groupRequests, requestGrepText, selectedBy, type RequestFilter } from "../harness/payloads/groups.ts";
import { REQUESTS_ANNOTATION } from "../harness/report/records-attachment.ts";
import { hasRunContext, readRunContext, type RunContext } from "../harness/run/run-context.ts";
import { expectNoFindings, runRequests, test } from "./fixtures.ts";

/** The expanded corpus the run validated once (project payloads plus WAF_PAYLOADS dirs). */
export function corpusRequests(expect: "block" | "allow"): ExpandedRequest[] {
  // Without a run context (`playwright test --list`, or the runner collecting tests before its global setup):
  // the same corpus, expanded from the YAML.
  const all = hasRunContext() ? readCorpusFile(readRunContext().corpusFile) : expandCases(loadCorpus(payloadDirs()));
  return all.filter((r) => r.expect === expect);
}

export function defineCorpusTests(suite: "owasp" | "false-positives", requests: readonly ExpandedRequest[]): void {
  for (const group of groupRequests(requests)) {
    test(group.title, { tag: group.tags }, async ({ engine, run, target }, testInfo) => {
      const filter = requestFilter(run, testInfo);
      const selected = group.requests.filter((r) => selectedBy(filter, requestGrepText(group.title, r)));
      const allowed = selected.filter((r) => target.classes === undefined || target.classes.includes(r.class));
      testInfo.annotations.push({ type: REQUESTS_ANNOTATION, description: String(selected.length) });
      test.skip(allowed.length === 0, selected.length === 0 ? "no request matches --grep" : `classes not allowed on target ${target.name}`);
      // Generous: a remote target's rate limit paces the requests; locally a group takes seconds.
      test.setTimeout(60_000 + allowed.length * (target.rateLimit ? (2_000 * testInfo.config.workers) / target.rateLimit : 250));
      const records = await runRequests(engine, run, target, allowed.map((r): EngineRequest => ({ ...r, suite, group: group.title })), testInfo);
      expectNoFindings(records);
    });
  }
}

/** npm run waf hands down the user's --grep for requests; run directly, Playwright's own grep is the filter. */
function requestFilter(run: RunContext, testInfo: TestInfo): RequestFilter {
  const given = run.requestFilter;
  if (given) return { grep: given.grep ? [new RegExp(given.grep)] : undefined, grepInvert: given.grepInvert ? [new RegExp(given.grepInvert)] : undefined };
  const list = (g: RegExp | RegExp[] | null | undefined) => (g ? (Array.isArray(g) ? g : [g]) : undefined);
  return { grep: list(testInfo.project.grep), grepInvert: list(testInfo.project.grepInvert) };
}
