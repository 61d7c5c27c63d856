// The public surface of harness/config: what other folders, scripts, suites and tests use. Import it as
// ../config/index.ts; files inside harness/config import each other directly, never through this file.
export { closestMatch } from "./did-you-mean.ts";
export { parseEnv, type WafEnv } from "./env.ts";
export { reportsDir } from "./reports-dir.ts";
export { ENVOY_VERSION, ENVOY_VERSION_PATTERN, ETCD_VERSION, HTTPBIN_MODULE, HTTPBIN_VERSION, ISTIO_MODULE_VERSION, KUBERNETES_STAGING_VERSION, KUBERNETES_VERSION, LABEL_MANAGED, LABEL_OWNER_PID, LABEL_RUN, REGISTRY_IMAGES } from "./versions.ts";
export { parseYamlText } from "./yaml-text.ts";
