// Requests as Playwright tests: one test per group (an OWASP category of the corpus, or the conformance cases),
// whose requests go through the engine together. Each request gets its own record (and its own Allure and JUnit
// result); a group's test fails once, listing every bypass or false positive, so a broken WAF costs about as
// much as a healthy one.
import type { TestInfo } from "@playwright/test";
import { hasRunContext, readRunContext, REQUESTS_ANNOTATION, type EngineRequest, type RunContext } from "../harness/engine/index.ts";
import {
  CORPUS_GROUP_PREFIX, groupRequests, readCorpusFile, requestGrepText, selectedBy, type ExpandedRequest, type RequestFilter,
} from "../harness/payloads/index.ts";
import { expectNoFindings, runRequests, type test } from "./fixtures.ts";

/** The expanded corpus the run validated once (project payloads plus WAF_PAYLOADS dirs). */
export async function corpusRequests(expect: "block" | "allow"): Promise<ExpandedRequest[]> {
  // Without a run context (`playwright test --list`, or the runner collecting tests before its global setup):
  // the same corpus, expanded from the YAML (loaded lazily: a worker restart should not pay for it).
  const all = hasRunContext() ? readCorpusFile(readRunContext().corpusFile) : await expandFromYaml();
  return all.filter((r) => r.expect === expect);
}

async function expandFromYaml(): Promise<ExpandedRequest[]> {
  const [{ expandCases }, { loadCorpus, payloadDirs }] = await Promise.all([import("../harness/payloads/index.ts"), import("../harness/payloads/index.ts")]);
  return expandCases(loadCorpus(payloadDirs()));
}

/** The corpus half of a suite as groups of engine requests (one test each). */
export function corpusGroups(suite: "owasp" | "false-positives", requests: readonly ExpandedRequest[]): Array<{ title: string; tags: string[]; requests: EngineRequest[] }> {
  return groupRequests(requests, CORPUS_GROUP_PREFIX[suite === "owasp" ? "block" : "allow"]).map((g) => ({
    ...g,
    requests: g.requests.map((r): EngineRequest => ({ ...r, suite, group: g.title })),
  }));
}

/**
 * The body of a group's test: sends the requests --grep selects and the target allows, attaches their records,
 * and fails once on findings. Spec files call `test()` themselves, so each test is listed under its spec file.
 */
export function groupTest(title: string, requests: readonly EngineRequest[]): Parameters<typeof test>[2] {
  return async ({ engine, run, target }, testInfo) => {
    const filter = requestFilter(run, testInfo);
    const selected = requests.filter((r) => selectedBy(filter, requestGrepText(title, r)));
    const sendable = selected.filter((r) => (target.classes === undefined || target.classes.includes(r.class) || r.suite === "conformance") && (r.via !== "upstream" || target.upstreamUrl));
    testInfo.annotations.push({ type: REQUESTS_ANNOTATION, description: String(selected.length) });
    testInfo.skip(sendable.length === 0, selected.length === 0 ? "no request matches --grep" : `no request of this group may be sent to target ${target.name}`);
    // Generous: a remote target's rate limit paces the requests; locally a group takes seconds.
    testInfo.setTimeout(60_000 + sendable.length * (target.rateLimit ? (2_000 * testInfo.config.workers) / target.rateLimit : 250));
    expectNoFindings(await runRequests(engine, run, target, sendable, testInfo));
  };
}

/** npm run waf hands down the user's --grep for requests; run directly, Playwright's own grep is the filter. */
function requestFilter(run: RunContext, testInfo: TestInfo): RequestFilter {
  const given = run.requestFilter;
  if (given) return { grep: given.grep ? [new RegExp(given.grep)] : undefined, grepInvert: given.grepInvert ? [new RegExp(given.grepInvert)] : undefined };
  const list = (g: RegExp | RegExp[] | null | undefined) => (g ? (Array.isArray(g) ? g : [g]) : undefined);
  return { grep: list(testInfo.project.grep), grepInvert: list(testInfo.project.grepInvert) };
}
