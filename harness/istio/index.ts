// The public surface of harness/istio: a real Istio on this machine (npm run istio, tests/istio.test.ts) and
// what its gateway did with a WasmPlugin. Import it as ../istio/index.ts; files inside harness/istio import
// each other directly, never through this file.
export { ISTIO_WASM_CACHE_DIR } from "./gateway.ts";
export { LOCAL_ISTIO_HOST, LOCAL_ISTIO_TARGET, startLocalIstio, type LocalIstio } from "./local-istio.ts";
export { statusWithHost } from "./process.ts";
export { agentRefusals, deliveredPlugin, describeDelivery, type DeliveredPlugin } from "./delivery.ts";
export { inspectIstioGateway, type GatewayInspection } from "./inspect.ts";
export { compareWithStandin, standinShape } from "./standin-shape.ts";
