// The public surface of harness/openapi: requests built from an OpenAPI 3.x description (benign ones the spec says are
// valid, attacks in every real parameter). Import it as ../openapi/index.ts; files inside import each other directly.
export type { OpenApiMeta, OpenApiRequest, OperationReport } from "./generate.ts";
export { openapiGroups } from "./groups.ts";
export { OPENAPI_HELP, parseOpenApiArgs, type OpenApiOptions } from "./options.ts";
export { planOpenApi, type OpenApiGeneration, type OpenApiPlan } from "./plan.ts";
