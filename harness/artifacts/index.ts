// The public surface of harness/artifacts: what other folders, scripts, suites and tests use. Import it as
// ../artifacts/index.ts; files inside harness/artifacts import each other directly, never through this file.
export { cacheDir } from "./cache.ts";
export { configureReaper, connectDocker } from "./docker-engine.ts";
export { goModule } from "./go-module.ts";
export { ensureIstioTools, type BuildRecord, type IstioTools } from "./istio-tools.ts";
export { ensureAlbedoImage, ensureEnvoyBinary, ensureGrpcImage, ensureHttpbinBinary, ensureImages, type ImageRef, type ImageSource } from "./images.ts";
export { resolveWasm } from "./wasm.ts";
