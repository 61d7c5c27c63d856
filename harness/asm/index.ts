// The public surface of harness/asm: what other folders, scripts, suites and tests use. Import it as
// ../asm/index.ts; files inside harness/asm import each other directly, never through this file.
export { formatImageRef, ociUrl, parseImageRef } from "./image-ref.ts";
export { planApply, planSecret } from "./kube-plan.ts";
export { freePort, startLocalRegistry, type LocalRegistry } from "./local-registry.ts";
export { tarEntries } from "./oci-pull.ts";
export { planPackage, PLUGIN_FILE, pushedDigest } from "./package-plan.ts";
export { formatPlan, type Stdin, type Step } from "./plan.ts";
export { pullSecretManifest } from "./pull-secret.ts";
export { parseSelector, renderWasmPlugin, type RenderedPlugin } from "./render.ts";
export { runPlan } from "./run-plan.ts";
export { istioGatewayEnvoyOptions } from "./gateway-config.ts";
export { startAsmStandin, targetsFileText, type StartedStandin } from "./standin.ts";
