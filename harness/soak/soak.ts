/** npm run soak: the local stack from a manifest, a steady open-model load, memory and p99 per window, the gates. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildRequest, loadDefinition } from "../latency/index.ts";
import { loadManifest, type LoadedManifest } from "../manifest/index.ts";
import { allurePaths, generateAllureReportOrSay, mergeSummarySections, renderSvg, writeAllureResult } from "../report/index.ts";
import { onShutdown, startLocalStack, type StartedStack } from "../stack/index.ts";
import { UserError } from "../errors.ts";
import { analyseSoak, soakGates, type SoakGateOptions } from "./analysis.ts";
import { parseEnvoyVmReading } from "./envoy-vm.ts";
import { runSoakLoad, type SoakShape } from "./load.ts";
import { soakAllureResult, soakPlotSpec, soakSection, windowLine, type SoakSection } from "./report.ts";

export interface SoakOptions {
  manifestPath: string;
  wasm?: string;
  imageSource?: "local" | "registry";
  envoyVersion?: string;
  ratePerSec: number;
  attackShare: number;
  benignShapes: string[];
  attackShapes: string[];
  maxRequests: number;
  maxDurationMs: number;
  windowMs: number;
  warmupFraction: number;
  gates: SoakGateOptions;
  outDir: string;
  summaryPath: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export const SOAK_PLOT = "soak.svg";

/** npm run soak's defaults, which review --soak uses as they are. */
export const SOAK_DEFAULTS = {
  requests: 100_000,
  rate: 60,
  attackShare: 0.1,
  benignShapes: ["get_small", "post_form10"],
  attackShapes: ["blocked"],
  window: "5s",
  warmup: 0.2,
  maxGrowth: 20,
  maxDrift: 2,
} as const;

/** Long enough for `requests` at `rate`, plus a minute of slack. */
export const soakDurationMs = (requests: number, rate: number) => Math.ceil((requests / rate) * 1000) + 60_000;

/** Runs the soak and writes its outputs; resolves to the section (its `passed` is the exit status's source). */
export async function runSoak(o: SoakOptions): Promise<SoakSection> {
  const shapes = await soakShapes(o);
  const started = await startSoakStack(o.manifestPath, o, o.log);
  try {
    const section = await soakOn(started, shapes, o, o.log);
    await writeOutputs(section, o);
    return section;
  } finally {
    await started.stop();
  }
}

export interface SoakShapes {
  benign: SoakShape[];
  attacks: SoakShape[];
}

/** The load's request shapes, checked before any stack starts. */
export async function soakShapes(o: Pick<SoakOptions, "benignShapes" | "attackShapes" | "attackShare">): Promise<SoakShapes> {
  const def = await loadDefinition();
  const shapeOf = (name: string): SoakShape => {
    const shape = def.shapes.find((s) => s.name === name);
    if (!shape) throw new UserError(`no request shape ${name} (have: ${def.shapes.map((s) => s.name).join(", ")})`);
    return { name, request: buildRequest(shape, def.headers, def.host), expectStatus: shape.expectStatus };
  };
  const benign = o.benignShapes.map(shapeOf);
  const attacks = o.attackShapes.map(shapeOf);
  if (benign.length === 0) throw new UserError("at least one benign shape is needed");
  if (o.attackShare > 0 && attacks.length === 0) throw new UserError("an attack share needs at least one attack shape");
  return { benign, attacks };
}

export interface SoakStack {
  stack: StartedStack;
  manifest: LoadedManifest;
  stop(): Promise<void>;
}

/** A local stack for a soak, removed on Ctrl-C as well. */
export async function startSoakStack(manifestPath: string, o: Pick<SoakOptions, "wasm" | "imageSource" | "envoyVersion">, log: (line: string) => void): Promise<SoakStack> {
  const manifest = await loadManifest(manifestPath);
  const stack = await startLocalStack({ manifest, wasm: o.wasm, imageSource: o.imageSource, envoyVersion: o.envoyVersion, log: (l) => log(`[stack] ${l}`) });
  const removeHandlers = onShutdown(() => stack.stop(), log);
  log(`stack up: Envoy ${stack.envoyVersion}, plug-in ${stack.wasmSource}${manifest.vmEnv ? `, VM environment ${JSON.stringify(manifest.vmEnv)}` : ""}`);
  return {
    stack,
    manifest,
    stop: async () => {
      removeHandlers();
      await stack.stop();
    },
  };
}

/** The soak's load on one stack, analysed and gated: the section (nothing written). */
export async function soakOn({ stack, manifest }: SoakStack, shapes: SoakShapes, o: Omit<SoakOptions, "manifestPath" | "outDir" | "summaryPath" | "log">, log: (line: string) => void): Promise<SoakSection> {
  const { benign, attacks } = shapes;
  const cpu = await stack.cpuCounter();
  log(
    `soak: ${o.maxRequests} requests at most, ${(o.maxDurationMs / 1000).toFixed(0)} s at most, ${o.ratePerSec}/s (open model), ` +
      `${benign.map((s) => s.name).join("+")} with ${(o.attackShare * 100).toFixed(0)} % ${attacks.map((s) => s.name).join("+")}, a window every ${o.windowMs / 1000} s`,
  );
  const load = await runSoakLoad({
    origin: stack.gatewayUrl,
    benign,
    attacks,
    attackShare: o.attackShare,
    ratePerSec: o.ratePerSec,
    maxRequests: o.maxRequests,
    maxDurationMs: o.maxDurationMs,
    windowMs: o.windowMs,
    maxInFlight: 256,
    connections: 32,
    requestTimeoutMs: 10_000,
    cpuSeconds: () => cpu.read(),
    memory: async () => {
      const r = await stack.resources();
      return { memoryBytes: r.memoryBytes, ...(r.rssBytes !== undefined && { rssBytes: r.rssBytes }) };
    },
    vm: async () => {
      const [stats, memory] = await Promise.all([stack.stats(), fetch(`${stack.adminUrl}/memory`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text())]);
      return parseEnvoyVmReading(stats, memory);
    },
    stopAtFailureShare: 0.5,
    onWindow: (w) => log(windowLine(w, o.maxRequests)),
    ...(o.signal && { signal: o.signal }),
  });
  if (load.stoppedBy === "failures") log("stopped early: half or more of a window's requests failed (the WAF stopped answering as it should)");
  for (const u of load.unexpectedSamples) log(`unexpected answer: ${u.shape} → ${u.status} ${JSON.stringify(u.body.slice(0, 160))}`);
  const figures = analyseSoak(load.windows, o.warmupFraction);
  return soakSection({
    figures,
    windows: load.windows,
    manifest: manifest.source,
    pluginConfigSha256: manifest.pluginConfigSha256,
    vmEnv: manifest.vmEnv ?? null,
    stack: { envoyVersion: stack.envoyVersion, wasmSha256: stack.wasmSha256, wasmSource: stack.wasmSource },
    load: {
      model: "open",
      ratePerSec: o.ratePerSec,
      attackShare: o.attackShare,
      benignShapes: o.benignShapes,
      attackShapes: o.attackShapes,
      windowSec: o.windowMs / 1000,
      maxRequests: o.maxRequests,
      maxDurationSec: o.maxDurationMs / 1000,
    },
    elapsedSec: Math.round(load.elapsedMs / 100) / 10,
    stoppedBy: load.stoppedBy,
    statusCounts: load.statusCounts,
    errorCodes: load.errorCodes,
    unexpectedSamples: load.unexpectedSamples,
    gates: soakGates(figures, o.gates),
    generatedAt: new Date().toISOString(),
  });
}

async function writeOutputs(section: SoakSection, o: SoakOptions): Promise<void> {
  await mkdir(o.outDir, { recursive: true });
  await mergeSummarySections(o.summaryPath, { soak: section });
  const svg = await renderSvg(soakPlotSpec(section));
  await writeFile(join(o.outDir, SOAK_PLOT), svg);
  const allure = allurePaths(o.outDir);
  await writeAllureResult(allure.results, soakAllureResult(section, svg));
  await generateAllureReportOrSay(allure, undefined, o.log);
}
