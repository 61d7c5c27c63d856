// The public surface of harness/stack: what other folders, scripts, suites and tests use. Import it as
// ../stack/index.ts; files inside harness/stack import each other directly, never through this file.
export { UNPINNED_NOTE, type CpuPinning } from "./cpu-pinning.ts";
export { reap } from "./reap.ts";
export { ceilingPerSecond, cpuDelta, cpuMsPer1k, type ContainerResources, type CpuCounter } from "./resources.ts";
export { onShutdown } from "./shutdown.ts";
export { startLocalStack, type StackInfo, type StackOptions, type StartedStack } from "./stack.ts";
export { PluginLoadError } from "./startup-failure.ts";
export { makeGatewayCertificate } from "./tls-cert.ts";
