import { randomUUID } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Wait, type StartedTestContainer, type ContainerRuntimeClient, type WaitStrategy } from "testcontainers";
import {
  configureReaper, connectDocker, ensureAlbedoImage, ensureGrpcImage, ensureImages, resolveWasm, type ImageRef, type ImageSource,
} from "../artifacts/index.ts";
import { LABEL_MANAGED, LABEL_OWNER_PID, LABEL_RUN } from "../config/index.ts";
import { ENVOY_PORTS, GRPC_ALLOWED_AUTHORITY, renderEnvoyConfig, withCorrelationRules, withGrpcAllowedSet, type EnvoyConfigInput } from "../envoy/index.ts";
import { pinStack, type CpuPinning } from "./cpu-pinning.ts";
import type { LoadedManifest } from "../manifest/index.ts";
import { EXIT_STACK_FAILED, UserError } from "../errors.ts";
import { LogBuffer } from "./log-buffer.ts";
import { LoopbackContainer } from "./loopback-container.ts";
import { reap } from "./reap.ts";
import { containerCpuCounter, readContainerResources, type ContainerResources, type CpuCounter } from "./resources.ts";
import { onShutdown, shuttingDown } from "./shutdown.ts";
import { explainEnvoyFailure } from "./startup-failure.ts";
import { makeGatewayCertificate } from "./tls-cert.ts";

export interface StackOptions {
  manifest: LoadedManifest;
  /** WAF_WASM: `build`, `release:<version>` or a path. */
  wasm?: string;
  imageSource?: ImageSource;
  /** WAF_ENVOY_VERSION: the Envoy release to run (default: the pinned ENVOY_VERSION). */
  envoyVersion?: string;
  /** `server` header value; `istio-envoy` makes Envoy answer like an Istio gateway. */
  serverName?: string;
  /** Extra Envoy options (the ASM stand-in: Istio-gateway routing and filter order). */
  envoy?: Pick<EnvoyConfigInput, "domains" | "filtersAfterWasm" | "pluginName" | "istioWasm">;
  log?: (line: string) => void;
  /** Copy Envoy's log (every payload and matched rule) here when the stack stops; otherwise it is deleted then. */
  keepLogAs?: string;
  /** Also run CRS's reflecting backend (albedo) for /reflect: the ftw suite's response-phase tests. */
  reflector?: boolean;
  /**
   * Also run wafcheck's gRPC upstream (WAF_GRPC=on): application/grpc requests are routed to it over HTTP/2, and two
   * more directive sets (the default one with application/grpc allowed by CRS's content-type policy, and that with
   * body inspection off for gRPC) are chosen by :authority (harness/envoy/grpc-config.ts). The default set is unchanged.
   */
  grpc?: boolean;
}

/** The facts a report needs about the stack; serialisable, so it can be handed to test workers. */
export interface StackInfo {
  gatewayUrl: string;
  baselineUrl: string;
  upstreamUrl: string;
  adminUrl: string;
  envoyVersion: string;
  envoyImage: string;
  httpbinImage: string;
  wasmSha256: string;
  wasmSource: string;
  pluginConfigSha256: string;
  manifest: string;
  /** Envoy's log as it is written (matched rules are read from it per request). */
  envoyLogFile: string;
  /** The WAF behind TLS (ALPN h2 and http/1.1), with the run's own CA to trust it (a file removed with the stack). */
  tls: { gatewayUrl: string; baselineUrl: string; caFile: string };
  /** Set when the stack runs the gRPC upstream (StackOptions.grpc): its own URL (h2c, no Envoy) and image. */
  grpc?: { upstreamUrl: string; image: string; allowedAuthority: string };
}

export interface StartedStack extends StackInfo, AsyncDisposable {
  info(): StackInfo;
  /** Envoy's log since start (bounded). */
  envoyLogs(): string;
  /** Envoy admin /stats text. */
  stats(): Promise<string>;
  /** Envoy's container: CPU seconds used since start and memory now, from Docker's cgroup stats. */
  resources(): Promise<ContainerResources>;
  /** Envoy's container: a CPU-seconds counter cheap enough to read around every block of load. */
  cpuCounter(): Promise<CpuCounter>;
  /** For latency runs: Envoy on CPUs of its own, the rest (and this process) on the others (cpu-pinning.ts). */
  pinCpus(): Promise<CpuPinning>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 180_000;
const envoyContainerName = (run: string) => `wafcheck-envoy-${run}`;
/** Envoy's own words when it gives up at start-up (bad directives, unloadable wasm, bad bootstrap). */
const FATAL_LINE = /wasm log [^:]*: Failed to parse directives|\[critical\]\[main\]|Unable to create Wasm plugin/;

/** Starts httpbin and Envoy with the Coraza plug-in configured from the manifest's pluginConfig. */
export async function startLocalStack(options: StackOptions): Promise<StartedStack> {
  const log = options.log ?? (() => {});
  const client = await connectDocker();
  await configureReaper(client);
  const leftovers = await reap(client);
  if (leftovers.containers > 0) log(`removed ${leftovers.containers} container(s) left by an earlier killed run`);
  const wasm = await resolveWasm(options.wasm ?? "build", log);
  const images = await ensureImages(options.imageSource ?? "local", log, options.envoyVersion);

  const run = randomUUID().slice(0, 8);
  const labels = { [LABEL_MANAGED]: "true", [LABEL_OWNER_PID]: String(process.pid), [LABEL_RUN]: run };
  const networkName = `wafcheck-${run}`;
  // Ctrl-C while containers start (10-20 s): remove this run's containers instead of leaving them behind.
  const logDir = await mkdtemp(join(tmpdir(), "wafcheck-envoy-"));
  const envoyLogFile = join(logDir, "envoy.log");
  // Envoy's log holds payloads: it goes with the containers, on every path out (stop, failure, Ctrl-C).
  const removeLog = () => rm(logDir, { recursive: true, force: true });
  const stopWatching = onShutdown(() => reap(client, { run }).then(removeLog), log);
  await client.container.dockerode.createNetwork({ Name: networkName, Labels: labels });
  // Envoy writes its log itself into a bind-mounted folder (--log-path): Docker's log driver and attach stream
  // cost about a fifth of a 2-core machine at the CRS regression suite's rate. WAF_ENVOY_LOG=stream restores the
  // stream (a Docker engine that cannot bind-mount this machine's temp folder, e.g. a remote DOCKER_HOST).
  const envoyWritesLog = process.env.WAF_ENVOY_LOG !== "stream";
  const envoyLog = new LogBuffer(undefined, envoyWritesLog ? undefined : envoyLogFile);
  if (envoyWritesLog) envoyLog.tail(envoyLogFile);
  const certificate = await makeGatewayCertificate();
  const caFile = join(logDir, "ca.pem");
  await writeFile(caFile, certificate.caPem);
  try {
    // An app container on the run's network: reached by Envoy under its alias on :8080, by the harness on 127.0.0.1.
    const app = (image: ImageRef, alias: string, command: string[], ready: WaitStrategy) =>
      new LoopbackContainer(image.name)
        .withName(`wafcheck-${alias}-${run}`)
        .withLabels(labels)
        .withEntrypoint([image.binary])
        .withCommand(command)
        .withNetworkMode(networkName)
        .withNetworkAliases(alias)
        .withLoopbackPorts(8080)
        .withWaitStrategy(ready)
        .withStartupTimeout(HTTPBIN_STARTUP_MS)
        .start()
        .catch((error: Error) => {
          throw new UserError(`${alias} (${image.origin}) did not come up: ${firstLine(error)}`, EXIT_STACK_FAILED);
        });
    const httpbin = await app(images.httpbin, "httpbin", ["-host", "0.0.0.0", "-port", "8080", "-log-level", "WARN"], Wait.forHttp("/status/200", 8080));
    if (options.reflector) await app(await ensureAlbedoImage(log), "albedo", ["--port", "8080"], Wait.forHttp("/", 8080));
    const grpcImage = options.grpc ? await ensureGrpcImage(log) : undefined;
    // gRPC only (no HTTP/1.1 endpoint to poll): ready once it says it listens.
    const grpc = grpcImage && (await app(grpcImage, "grpc", ["-port", "8080"], Wait.forLogMessage(/grpc upstream listening/)));

    log("starting Envoy with the Coraza plug-in (V8 compiles it: ~10-20 s)…");
    const envoyConfig = renderEnvoyConfig({
      // The manifest's pluginConfig plus wafcheck's two pass-only correlation rules (harness/envoy/correlation.ts).
      pluginConfig: withCorrelationRules(options.grpc ? withGrpcAllowedSet(options.manifest.pluginConfig) : options.manifest.pluginConfig),
      wasmPath: "/etc/envoy/coraza.wasm",
      upstream: { host: "httpbin", port: 8080 },
      ports: ENVOY_PORTS,
      tls: { port: ENVOY_PORTS.tls, baselinePort: ENVOY_PORTS.tlsBaseline, certPem: certificate.certPem, keyPem: certificate.keyPem },
      serverName: options.serverName,
      ...(options.manifest.vmEnv && { vmEnv: options.manifest.vmEnv }),
      ...(options.reflector && { reflector: { host: "albedo", port: 8080 } }),
      ...(options.grpc && { grpc: { host: "grpc", port: 8080 } }),
      ...options.envoy,
    });
    const starting = new LoopbackContainer(images.envoy.name)
      .withName(envoyContainerName(run))
      .withLabels(labels)
      .withEntrypoint([images.envoy.binary])
      .withCommand([
        "-c", "/etc/envoy/envoy.json", "--log-level", "warning", "--component-log-level", "wasm:info",
        // Flushed every 10 ms (the default waits 10 s or 64 KB): the harness settles each batch on its log lines.
        ...(envoyWritesLog ? ["--log-path", `${ENVOY_LOG_DIR}/envoy.log`, "--file-flush-interval-msec", "10"] : []),
      ])
      .withBindMounts(envoyWritesLog ? [{ source: logDir, target: ENVOY_LOG_DIR, mode: "rw" as const }] : [])
      .withCopyContentToContainer([{ content: JSON.stringify(envoyConfig, null, 1), target: "/etc/envoy/envoy.json" }])
      .withCopyFilesToContainer([{ source: wasm.path, target: "/etc/envoy/coraza.wasm" }])
      .withNetworkMode(networkName)
      .withLoopbackPorts(ENVOY_PORTS.waf, ENVOY_PORTS.baseline, ENVOY_PORTS.admin, ENVOY_PORTS.tls, ENVOY_PORTS.tlsBaseline)
      .withLogConsumer((stream) => envoyLog.follow(stream))
      .withWaitStrategy(Wait.forHttp("/ready", ENVOY_PORTS.admin, { abortOnContainerExit: true }))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start();
    // Envoy's fatal line says why it gives up (bad directives, a plug-in it cannot load); it then exits, which the
    // HTTP wait notices (abortOnContainerExit) and stops polling. Wait for that (bounded) before the container is
    // reaped: a wait still polling a removed container would keep this process alive for the whole startup timeout.
    const fatal = envoyLog.waitFor(FATAL_LINE).then(async () => {
      await Promise.race([starting.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
      throw new Error("Envoy exited during start-up");
    });
    starting.catch(() => undefined); // it rejects after the fatal line too; that error is the fatal one's
    const envoy = await Promise.race([starting, fatal]).catch((error: Error) => {
      throw explainEnvoyFailure(error, envoyLog.text(), options.manifest.source, options.envoyVersion);
    });

    const url = (container: StartedTestContainer, port: number) => `http://127.0.0.1:${container.getMappedPort(port)}`;
    const adminUrl = url(envoy, ENVOY_PORTS.admin);
    const info: StackInfo = {
      gatewayUrl: url(envoy, ENVOY_PORTS.waf),
      baselineUrl: url(envoy, ENVOY_PORTS.baseline),
      upstreamUrl: url(httpbin, 8080),
      adminUrl,
      envoyVersion: await envoyVersion(adminUrl),
      envoyImage: images.envoy.origin,
      httpbinImage: images.httpbin.origin,
      wasmSha256: wasm.sha256,
      wasmSource: wasm.source,
      pluginConfigSha256: options.manifest.pluginConfigSha256,
      manifest: options.manifest.source,
      envoyLogFile,
      tls: { gatewayUrl: `https://127.0.0.1:${envoy.getMappedPort(ENVOY_PORTS.tls)}`, baselineUrl: `https://127.0.0.1:${envoy.getMappedPort(ENVOY_PORTS.tlsBaseline)}`, caFile },
      ...(grpc && grpcImage && { grpc: { upstreamUrl: url(grpc, 8080), image: grpcImage.origin, allowedAuthority: GRPC_ALLOWED_AUTHORITY } }),
    };
    return makeStarted(info, client, run, envoyLog, options.keepLogAs);
  } catch (error) {
    // Interrupted by Ctrl-C: the signal handler is removing the containers and will exit 130; failing here
    // with "container is marked for removal" would only race it with a misleading message.
    if (shuttingDown()) await new Promise(() => undefined);
    await reap(client, { run });
    await removeLog();
    throw error;
  } finally {
    stopWatching();
  }
}

const HTTPBIN_STARTUP_MS = 30_000;
/** Where Envoy writes its log inside its container (the run's log folder, bind-mounted). */
const ENVOY_LOG_DIR = "/var/log/wafcheck";

function firstLine(error: Error): string {
  return error.message.split("\n")[0]!.trim();
}

function makeStarted(info: StackInfo, client: ContainerRuntimeClient, run: string, envoyLog: LogBuffer, keepLogAs?: string): StartedStack {
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= reap(client, { run })
      .then(() => envoyLog.close())
      .then(async () => {
        // The log holds every payload sent: it does not outlive the run unless the user asked to keep it.
        if (keepLogAs) await mkdir(dirname(keepLogAs), { recursive: true }).then(() => copyFile(info.envoyLogFile, keepLogAs));
        await rm(dirname(info.envoyLogFile), { recursive: true, force: true });
      }));
  return {
    ...info,
    info: () => ({ ...info }),
    envoyLogs: () => envoyLog.text(),
    stats: async () => (await fetch(`${info.adminUrl}/stats`, { signal: AbortSignal.timeout(5_000) })).text(),
    resources: () => readContainerResources(client, envoyContainerName(run)),
    cpuCounter: () => containerCpuCounter(client, envoyContainerName(run)),
    pinCpus: () => pinStack(client, run, envoyContainerName(run)),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** e.g. "1.40.0" from admin /server_info ("<sha>/1.40.0/Clean/RELEASE/BoringSSL"). */
async function envoyVersion(adminUrl: string): Promise<string> {
  const response = await fetch(`${adminUrl}/server_info`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { version?: string };
  return body.version?.split("/")[1] ?? body.version ?? "unknown";
}
