// `npm run waf`: start the local stack (or resolve a remote target), run every suite, write the reports.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { execa } from "execa";
import { parseEnv } from "../harness/config/env.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { loadRunManifest } from "../harness/manifest/load-manifest.ts";
import { allurePaths, generateAllureReport, prepareAllureResults } from "../harness/report/allure.ts";
import { reportsDir } from "../harness/report/reports-dir.ts";
import { readJsonIfPresent } from "../harness/report/write-atomic.ts";
import { writeStackFile } from "../harness/stack/stack-file.ts";
import { onShutdown } from "../harness/stack/shutdown.ts";
import { startLocalStack, type StartedStack } from "../harness/stack/stack.ts";
import { resolveTarget } from "../harness/targets/resolve-target.ts";
import { assertAllowed } from "../harness/targets/target.ts";

const HELP = `Usage: npm run waf [-- <Playwright options, e.g. --grep banned>]

Runs every suite (suites/) against WAF_TARGET (default: local) and writes
reports/summary.json, reports/junit.xml and reports/allure-report/index.html.

Environment:
  WAF_PLUGIN        WasmPlugin manifest whose pluginConfig the local stack loads
                    (default envoy-local/wasm-plugin.yaml)
  WAF_TARGET        local (default) or a target named in WAF_TARGETS_FILE
  WAF_TARGETS_FILE  remote gateways (default targets.yaml)
  WAF_WASM          build (default) | release:<version> | path/to/plugin.wasm
  WAF_IMAGE_SOURCE  local (default: images built here) | registry (official images)
  WAF_REPORTS_DIR   where reports go (default reports)
Exit status: 0 when every test passed; 1 when a test failed or hit an infrastructure
error; 2 on bad input (nothing is written then).`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { help: { type: "boolean", short: "h" } }, strict: false, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const passthrough = process.argv.slice(2).filter((a) => a !== "--");
  void positionals;
  const log = (line: string) => console.error(`[waf] ${line}`);
  const env = parseEnv();
  const manifest = await loadRunManifest(env);
  const started = Date.now();

  let stack: StartedStack | undefined;
  const childEnv: Record<string, string> = { WAF_REPORTS_DIR: reportsDir() };
  if (env.WAF_TARGET === "local") {
    stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, log });
    onShutdown(() => stack!.stop(), log);
    childEnv.WAF_STACK_FILE = await writeStackFile(stack.info());
    childEnv.WAF_TARGET_URL = stack.gatewayUrl;
    log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: Envoy ${stack.envoyVersion}, plug-in ${stack.wasmSource}`);
  } else {
    const target = await resolveTarget(env);
    assertAllowedOrExit(() => assertAllowed(target, target.baseUrl, target.hostHeader));
    childEnv.WAF_TARGET_URL = target.baseUrl;
  }

  try {
    const reports = reportsDir();
    const allure = allurePaths(reports);
    await prepareAllureResults(allure);
    const project = env.WAF_TARGET === "local" ? "local" : "remote";
    const playwright = resolve(import.meta.dirname, "../node_modules/.bin/playwright");
    const run = await execa(playwright, ["test", `--project=${project}`, ...passthrough], {
      stdio: "inherit",
      reject: false,
      env: childEnv,
    });
    const report = await generateAllureReport(allure).catch((error: Error) => {
      log(`Allure report not generated (needs Java 17+): ${error.message.split("\n")[0]}`);
      return undefined;
    });
    const summary = await readJsonIfPresent(resolve(reports, "summary.json"));
    for (const [suite, counts] of Object.entries((summary?.suites ?? {}) as Record<string, Record<string, number>>))
      log(`${suite}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.infra} infrastructure errors`);
    log(`reports: ${resolve(reports, "summary.json")}, ${resolve(reports, "junit.xml")}${report ? `, ${report}` : ""}`);
    log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return run.exitCode ?? 1;
  } finally {
    await stack?.stop();
  }
}

function assertAllowedOrExit(check: () => void): void {
  try {
    check();
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  reportFatal,
);
