// `npm run soak`: what the WAF costs under sustained load: memory growth per 100k requests and p99 drift.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseEnv, reportsDir } from "../harness/config/index.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { parseDuration } from "../harness/latency/index.ts";
import { runSoak, SOAK_DEFAULTS, SOAK_PLOT, soakDurationMs } from "../harness/soak/index.ts";

const DEFAULTS = SOAK_DEFAULTS;

const HELP = `Usage: npm run soak -- [options]

Starts the local stack from WAF_PLUGIN (default envoy-local/wasm-plugin.yaml) and sends a steady open-model
load (constant arrival rate, latency from each request's scheduled start) through the WAF: benign request
shapes in turn plus a share of attacks, for a request count or a duration, whichever ends first. Every window
it reads Envoy's container memory and CPU and prints a line. At the end: memory growth per 100,000 requests
with its 95 % interval (least-squares slope over the post-warm-up windows, Student-t interval), p99 drift
(last quarter of the post-warm-up windows over the first), summary.json → soak, DIR/${SOAK_PLOT} (memory
and p99 over the run) and an Allure result. Load goes to 127.0.0.1 only.

Load:
  --requests N          requests to send (default ${DEFAULTS.requests})
  --duration D          stop after this long (10s, 5m, 1h; default: the time N requests take at the rate, + 60 s)
  --rate N              arrivals per second (default ${DEFAULTS.rate}: Envoy spends 7-9 ms of CPU per request of the
                        default mix, so a 2-core machine stays well below saturation)
  --attack-share X      share of attack requests, 0..1 (default ${DEFAULTS.attackShare})
  --benign a,b          benign shapes of harness/latency/scenarios.json (default ${DEFAULTS.benignShapes.join(",")})
  --attacks a,b         attack shapes (default blocked: the seed rule's 403)
  --window D            window length (default ${DEFAULTS.window})
  --warmup X            share of the windows at the start left out of the figures (default ${DEFAULTS.warmup})

Gates (exit 1 when one fails):
  --max-growth-mb-per-100k N   the growth interval's lower bound must not exceed N MB (10^6 bytes) per
                               100k requests (default ${DEFAULTS.maxGrowth}); not estimable fails
  --max-p99-drift X            last-quarter p99 over first-quarter p99 at most X (default ${DEFAULTS.maxDrift})
  Any transport error, unexpected status (a 5xx, a benign request blocked, an attack let through) or
  dropped arrival is an infrastructure failure and fails the run; half a window failing stops the load.

Output:
  --out DIR             plot and Allure results (default: reports, or WAF_REPORTS_DIR)
  --summary FILE        summary.json to add the "soak" section to (default: DIR/summary.json)
  -h, --help

Exit status: 0 every gate held; 1 a gate failed; 2 bad input; 4 the local stack could not run.`;

const OPTIONS = {
  requests: { type: "string" },
  duration: { type: "string" },
  rate: { type: "string" },
  "attack-share": { type: "string" },
  benign: { type: "string" },
  attacks: { type: "string" },
  window: { type: "string" },
  warmup: { type: "string" },
  "max-growth-mb-per-100k": { type: "string" },
  "max-p99-drift": { type: "string" },
  out: { type: "string" },
  summary: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const log = (line: string) => console.error(`[soak] ${line}`);

function num(name: string, text: string | undefined, fallback: number, check: (n: number) => boolean, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UserError(`--${name} expects ${what} (got ${text})`);
  return n;
}

function duration(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UserError(`--${name}: not a duration like 10s or 5m (got ${text})`);
  return ms;
}

const list = (text: string | undefined, fallback: string[]) => text?.split(",").map((s) => s.trim()).filter(Boolean) ?? fallback;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const args = parsed.values;
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const requests = num("requests", args.requests, DEFAULTS.requests, (n) => Number.isInteger(n) && n > 0 && n <= 10_000_000, "a whole number 1..10000000");
  const rate = num("rate", args.rate, DEFAULTS.rate, (n) => n > 0 && n <= 5000, "arrivals per second, 0 < N ≤ 5000");
  const attackShare = num("attack-share", args["attack-share"], DEFAULTS.attackShare, (n) => n >= 0 && n <= 1, "a share 0..1");
  const warmup = num("warmup", args.warmup, DEFAULTS.warmup, (n) => n >= 0 && n < 1, "a share 0..1 (below 1)");
  const maxGrowth = num("max-growth-mb-per-100k", args["max-growth-mb-per-100k"], DEFAULTS.maxGrowth, (n) => n >= 0, "MB per 100k requests ≥ 0");
  const maxDrift = num("max-p99-drift", args["max-p99-drift"], DEFAULTS.maxDrift, (n) => n >= 1, "a ratio ≥ 1");
  const windowMs = duration("window", args.window ?? DEFAULTS.window)!;
  if (windowMs < 1000) throw new UserError(`--window: at least 1s (got ${args.window})`);
  const maxDurationMs = duration("duration", args.duration) ?? soakDurationMs(requests, rate);
  const outDir = resolve(args.out ?? reportsDir());
  const env = parseEnv();
  if (env.WAF_TARGET !== "local") throw new UserError(`npm run soak runs against the local stack only (WAF_TARGET=${env.WAF_TARGET})`);

  const abort = new AbortController();
  const onSigint = () => {
    log("interrupted: stopping the load, then writing what was measured");
    abort.abort();
  };
  process.once("SIGINT", onSigint);
  const section = await runSoak({
    manifestPath: env.WAF_PLUGIN,
    wasm: env.WAF_WASM,
    imageSource: env.WAF_IMAGE_SOURCE,
    envoyVersion: env.WAF_ENVOY_VERSION,
    ratePerSec: rate,
    attackShare,
    benignShapes: list(args.benign, [...DEFAULTS.benignShapes]),
    attackShapes: list(args.attacks, [...DEFAULTS.attackShapes]),
    maxRequests: requests,
    maxDurationMs,
    windowMs,
    warmupFraction: warmup,
    gates: { maxGrowthMbPer100k: maxGrowth, maxP99Drift: maxDrift },
    outDir,
    summaryPath: resolve(args.summary ?? `${outDir}/summary.json`),
    log,
    signal: abort.signal,
  }).finally(() => process.off("SIGINT", onSigint));

  const g = section.growth;
  console.log(
    `soak ${section.manifest}: ${section.requests} requests in ${section.elapsedSec} s (${section.stoppedBy}); ` +
      `memory ${section.growthMbPer100k ?? "-"} MB per 100k requests, 95 % interval ${g.ci95 ? `[${g.ci95[0]}, ${g.ci95[1]}]` : "-"} (${g.n} windows after ${section.warmupWindows} of warm-up); ` +
      `p99 drift ×${section.p99Drift.ratio ?? "-"}; Envoy CPU ${section.cpuMsPer1k ?? "-"} ms/1k`,
  );
  for (const gate of section.gates) console.log(gate.line);
  console.log(section.passed ? "soak: passed" : `soak: FAILED (${section.gates.filter((x) => !x.ok).map((x) => x.gate).join(", ")})`);
  return section.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => reportFatal(error),
);
