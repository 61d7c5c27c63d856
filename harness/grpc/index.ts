// The public surface of harness/grpc: what other folders, scripts, suites and tests use. Import it as
// ../grpc/index.ts; files inside harness/grpc import each other directly, never through this file.
export { grpcSection } from "./grpc-finding.ts";
export { runGrpcProbe } from "./grpc-probe.ts";
export { grpcStep } from "./grpc-step.ts";
