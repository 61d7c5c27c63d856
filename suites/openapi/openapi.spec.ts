// Requests built from the run's OpenAPI descriptions (WAF_OPENAPI / --openapi, harness/openapi): benign requests the
// spec says are valid and attacks in every real parameter, one test per spec and tag (in parts). Locally they carry
// the reflector header, so the stack routes the API's own paths to a reflecting backend (a real 200, not httpbin's 404).
import { readFileSync } from "node:fs";
import { hasRunContext, readRunContext, type EngineRequest } from "../../harness/engine/index.ts";
import { REFLECTOR_HEADER, REFLECTOR_VALUE } from "../../harness/envoy/index.ts";
import { openapiGroups, type OpenApiRequest } from "../../harness/openapi/index.ts";
import { groupTest } from "../corpus.ts";
import { test } from "../fixtures.ts";

const run = hasRunContext() ? readRunContext() : undefined;
const requests: OpenApiRequest[] = run?.openapiFile ? JSON.parse(readFileSync(run.openapiFile, "utf8")) : [];
const local = run?.stack != null;

for (const group of openapiGroups(requests)) {
  const engineRequests = group.requests.map((r): EngineRequest => ({
    ...r, suite: "openapi", group: group.title, ...(local && { headers: [...r.headers, [REFLECTOR_HEADER, REFLECTOR_VALUE] as [string, string]] }),
  }));
  test(group.title, { tag: group.tags }, groupTest(group.title, engineRequests));
}
