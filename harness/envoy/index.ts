// The public surface of harness/envoy: what other folders, scripts, suites and tests use. Import it as
// ../envoy/index.ts; files inside harness/envoy import each other directly, never through this file.
export { CORRELATION_DIRECTIVES, CORRELATION_HEADER, CORRELATION_RULE_IDS, correlationId, withCorrelationRules } from "./correlation.ts";
export { ENVOY_PORTS, PROTOCOL_HEADER, REFLECTOR_HEADER, REFLECTOR_VALUE, renderEnvoyConfig, type EnvoyConfigInput } from "./envoy-config.ts";
export { GRPC_ALLOW_DIRECTIVES, GRPC_ALLOWED_AUTHORITY, GRPC_ALLOWED_SET, GRPC_AUTHORITY, GRPC_HEADERS_ONLY_AUTHORITY, GRPC_HEADERS_ONLY_SET, GRPC_NO_BODY_DIRECTIVE, withGrpcAllowedSet } from "./grpc-config.ts";
