// `npm run waf:matrix`: attacks and benign traffic at paranoia levels 1..4, one local stack per level,
// then a plot of blocked-% and false-positive-% per level (reports/paranoia-matrix.svg).
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { parseEnv } from "../harness/config/env.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { loadRunManifest } from "../harness/manifest/load-manifest.ts";
import type { Detection } from "../harness/report/detection.ts";
import { allurePaths, generateAllureReport } from "../harness/report/allure.ts";
import { writeAllureResult } from "../harness/report/allure-result.ts";
import { matrixRow, matrixSpec, type MatrixRow } from "../harness/report/paranoia-matrix.ts";
import { renderSvg } from "../harness/report/render-svg.ts";
import { reportsDir } from "../harness/report/reports-dir.ts";
import { readJsonIfPresent, writeFileAtomic } from "../harness/report/write-atomic.ts";

const HELP = `Usage: npm run waf:matrix [-- --levels 1,2,3,4]

Runs the OWASP attack and false-positive suites against the local stack once per CRS
blocking paranoia level (WAF_PARANOIA=N rewrites the level in WAF_PLUGIN's directives),
then writes reports/paranoia-matrix.svg, reports/matrix/pl<N>/ (each level's full reports)
and the "paranoiaMatrix" section of reports/summary.json. Every request counts at every
level, whatever level its case names, so the plot shows what each level adds.
Takes about 2 minutes per level on 2 cores.`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { levels: { type: "string", default: "1,2,3,4" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return void console.log(HELP);
  const levels = values.levels!.split(",").map(Number);
  if (levels.some((l) => !Number.isInteger(l) || l < 1 || l > 4)) throw new UserError(`--levels: expected numbers 1-4 (got ${values.levels})`);
  const env = parseEnv();
  const manifest = await loadRunManifest({ ...env, WAF_PARANOIA: levels[0] }); // fails early if the level cannot be set
  const reports = reportsDir();
  const rows: MatrixRow[] = [];
  for (const level of levels) {
    const dir = join(reports, "matrix", `pl${level}`);
    console.error(`[matrix] PL${level}: running attacks and benign traffic (reports in ${dir})…`);
    const run = await execa("tsx", [resolve(import.meta.dirname, "waf.ts"), "--", "suites/owasp", "suites/false-positives"], {
      env: { WAF_PARANOIA: String(level), WAF_REPORTS_DIR: dir, WAF_LATENCY_PROBE: "off" },
      stdio: ["ignore", "ignore", "inherit"],
      reject: false,
    });
    if (run.exitCode === 2) throw new UserError(`PL${level}: the run stopped on bad input (see above)`);
    const detection = (await readJsonIfPresent(join(dir, "summary.json")))?.detection as Detection | undefined;
    if (!detection) throw new UserError(`PL${level}: no detection figures in ${join(dir, "summary.json")} (exit ${run.exitCode})`);
    const row = matrixRow(level, detection);
    rows.push(row);
    console.error(`[matrix] PL${level}: ${row.blockedPct}% of ${row.attacks} attacks blocked, ${row.falsePositivePct}% of ${row.benign} benign requests blocked`);
  }
  const svgPath = join(reports, "paranoia-matrix.svg");
  const svg = await renderSvg(matrixSpec(rows, `${manifest.source}; plug-in and Envoy as in each level's summary.json`));
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
  const summaryPath = join(reports, "summary.json");
  const summary = (await readJsonIfPresent(summaryPath)) ?? { schemaVersion: 1 };
  await writeFileAtomic(summaryPath, `${JSON.stringify({ ...summary, paranoiaMatrix: rows }, null, 2)}\n`);
  console.log("level  attacks blocked   benign blocked (false positives)");
  for (const r of rows) console.log(`PL${r.paranoiaLevel}    ${String(r.blockedPct).padStart(6)}% of ${r.attacks}   ${String(r.falsePositivePct).padStart(6)}% of ${r.benign}`);
  console.error(`[matrix] wrote ${svgPath} and the paranoiaMatrix section of ${summaryPath}`);
}

main().catch(reportFatal);
