// `npm run waf:matrix`: attacks and benign traffic at paranoia levels 1..4 on one local Envoy (a directive set
// per level, chosen by Host), then a plot of blocked-% and false-positive-% per level (reports/paranoia-matrix.svg).
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseEnv } from "../harness/config/index.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { manifestWithParanoia, matrixHost, matrixManifest } from "../harness/manifest/index.ts";
import {
  allurePaths, generateAllureReport, matrixRow, matrixSpec, readSummary, renderSvg, summaryPathIn, updateSummary,
  writeAllureResult, writeFileAtomic, type Detection, type MatrixRow,
} from "../harness/report/index.ts";
import { loadRunInputs, runSuitesInto } from "../harness/run/index.ts";
import { onShutdown, startLocalStack } from "../harness/stack/index.ts";

const HELP = `Usage: npm run waf:matrix [-- --levels 1,2,3,4]

Runs the OWASP attack and false-positive suites at each CRS blocking paranoia level on ONE local
Envoy: the manifest's default directive set is loaded once per level (WAF_PARANOIA rewrites the
level), each chosen by Host (pl<N>.wafcheck.test, per_authority_directives), so the plug-in is
compiled once. Then writes reports/paranoia-matrix.svg, reports/matrix/pl<N>/ (each level's
summary.json, verdicts.json, junit.xml, Allure results) and the "paranoiaMatrix" section of
reports/summary.json. Every request counts at every level, whatever level its case names, so the
plot shows what each level adds. About 20 s per level after the stack is up, on 2 cores.`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { levels: { type: "string", default: "1,2,3,4" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return void console.log(HELP);
  const levels = values.levels!.split(",").map(Number);
  if (levels.some((l) => !Number.isInteger(l) || l < 1 || l > 4)) throw new UserError(`--levels: expected numbers 1-4 (got ${values.levels})`);
  const env = parseEnv();
  const inputs = await loadRunInputs(env);
  const manifest = matrixManifest(inputs.manifest, levels); // fails early if the level cannot be set
  const reports = inputs.reportsDir;
  const log = (line: string) => console.error(`[matrix] ${line}`);
  const stack = await startLocalStack({ manifest, wasm: env.WAF_WASM, imageSource: env.WAF_IMAGE_SOURCE, envoyVersion: env.WAF_ENVOY_VERSION, log });
  onShutdown(() => stack.stop(), log);
  const rows: MatrixRow[] = [];
  try {
    for (const level of levels) {
      const dir = join(reports, "matrix", `pl${level}`);
      log(`PL${level}: attacks and benign traffic with Host ${matrixHost(level)} (reports in ${dir})…`);
      const levelInputs = { ...inputs, env: { ...env, WAF_PARANOIA: level }, manifest: manifestWithParanoia(inputs.manifest, level), reportsDir: dir };
      const exit = await runSuitesInto(levelInputs, dir, { stack: stack.info(), hostHeader: matrixHost(level), playwrightArgs: ["suites/owasp", "suites/false-positives"] });
      const detection = (await readSummary(summaryPathIn(dir)))?.detection as Detection | undefined;
      if (!detection) throw new UserError(`PL${level}: no detection figures in ${summaryPathIn(dir)} (exit ${exit})`);
      const row = matrixRow(level, detection);
      rows.push(row);
      log(`PL${level}: ${row.blockedPct}% of ${row.attacks} attacks blocked, ${row.falsePositivePct}% of ${row.benign} benign requests blocked`);
    }
  } finally {
    await stack.stop();
  }
  const svgPath = join(reports, "paranoia-matrix.svg");
  const svg = await renderSvg(matrixSpec(rows, `${manifest.source}; one Envoy ${stack.envoyVersion}, plug-in ${stack.wasmSha256.slice(0, 12)}…`));
  await writeFileAtomic(svgPath, svg);
  // Beside the last `npm run waf` results in the main Allure report.
  const allure = allurePaths(reports);
  await writeAllureResult(allure.results, {
    id: "wafcheck-paranoia-matrix",
    name: "Paranoia matrix: blocked and false-positive rates per CRS level",
    status: "passed",
    labels: [
      { name: "epic", value: "Paranoia matrix" },
      { name: "suite", value: "paranoia-matrix" },
    ],
    attachments: [
      { name: "paranoia-matrix.svg", content: svg, type: "image/svg+xml" },
      { name: "paranoia-matrix.json", content: `${JSON.stringify(rows, null, 2)}\n`, type: "application/json" },
    ],
  });
  await generateAllureReport(allure).catch((error: Error) => console.error(`[matrix] Allure report not regenerated: ${error.message.split("\n")[0]}`));
  const summaryPath = summaryPathIn(reports);
  await updateSummary(summaryPath, (previous) => ({ schemaVersion: 1, ...previous, paranoiaMatrix: rows }));
  console.log("level  attacks blocked   benign blocked (false positives)");
  for (const r of rows) console.log(`PL${r.paranoiaLevel}    ${String(r.blockedPct).padStart(6)}% of ${r.attacks}   ${String(r.falsePositivePct).padStart(6)}% of ${r.benign}`);
  console.error(`[matrix] wrote ${svgPath} and the paranoiaMatrix section of ${summaryPath}`);
}

main().catch(reportFatal);
