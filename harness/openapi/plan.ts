// The OpenAPI part of a run, planned before anything starts: each spec loaded, its operations filtered, requests
// generated; what the run will report about the generation (operations, and those without a valid benign request).
import { loadCorpus, payloadDirs } from "../payloads/index.ts";
import { filterOperations, listOperations } from "./operation.ts";
import { generateRequests, type OpenApiRequest, type OperationReport } from "./generate.ts";
import { loadSpec } from "./load-spec.ts";
import type { OpenApiOptions } from "./options.ts";
import { SchemaChecker } from "./schema-check.ts";
import type { PayloadCase } from "./payload-sample.ts";

/** What summary.json's `openapi` says about the generation (findings come from the records). */
export interface OpenApiGeneration {
  specs: Array<{ source: string; title: string; version: string; openapi: string; basePath: string; operations: number; selected: number }>;
  settings: { perClass: number; seed: string; classes: string[]; classesPerParameter?: number; tags: string[]; path?: string };
  operations: OperationReport[];
}

export interface OpenApiPlan {
  requests: OpenApiRequest[];
  generation: OpenApiGeneration;
}

export async function planOpenApi(options: OpenApiOptions, paranoia: number, log: (line: string) => void, cases: readonly PayloadCase[] = loadCorpus(payloadDirs())): Promise<OpenApiPlan> {
  const started = Date.now();
  const requests: OpenApiRequest[] = [];
  const generation: OpenApiGeneration = {
    specs: [],
    settings: {
      perClass: options.perClass, seed: options.seed, classes: options.classes, ...(options.classesPerParameter !== undefined && { classesPerParameter: options.classesPerParameter }), tags: options.tags, ...(options.path && { path: options.path.source }) },
    operations: [],
  };
  const several = options.specs.length > 1;
  for (const source of options.specs) {
    const spec = await loadSpec(source, log);
    const all = listOperations(spec.doc);
    const ops = filterOperations(all, { tags: options.tags, ...(options.path && { path: options.path }) });
    const made = generateRequests(ops, cases, new SchemaChecker(spec.dialect), {
      ...options, paranoia, spec: spec.name, basePath: spec.basePath, idPrefix: several ? `${spec.name}:` : "",
    });
    requests.push(...made.requests);
    generation.operations.push(...made.operations);
    generation.specs.push({ source, title: spec.title, version: spec.version, openapi: String(spec.doc.openapi), basePath: spec.basePath, operations: all.length, selected: ops.length });
  }
  const ops = generation.operations;
  const benignOk = ops.filter((o) => o.noBenign === undefined).length;
  log(
    `OpenAPI: ${ops.length} operations → ${requests.filter((r) => r.expect === "allow").length} benign and ${requests.filter((r) => r.expect === "block").length} attack requests; ` +
      `${benignOk}/${ops.length} operations with a valid benign request (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { requests, generation };
}
