// The OpenAPI part of a run, planned before anything starts: each spec loaded, its operations filtered, requests
// generated; what the run will report about the generation (operations, and those without a valid benign request).
import { filterOperations, listOperations } from "./operation.ts";
import { generateRequests, type OpenApiRequest, type OperationReport } from "./generate.ts";
import { loadSpec, type LoadedSpec } from "./load-spec.ts";
import type { OpenApiOptions } from "./options.ts";
import { SchemaChecker } from "./schema-check.ts";
import type { PayloadCase } from "./payload-sample.ts";

/** What summary.json's `openapi` says about the generation (findings come from the records). */
export interface OpenApiGeneration {
  specs: Array<{ source: string; title: string; version: string; openapi: string; basePath: string; operations: number; selected: number }>;
  settings: { perClass: number; seed: string; classes: string[]; classesPerParameter?: number; maxRequests: number; tags: string[]; path?: string };
  operations: OperationReport[];
}

export interface OpenApiPlan {
  requests: OpenApiRequest[];
  generation: OpenApiGeneration;
}

export async function planOpenApi(options: OpenApiOptions, paranoia: number, log: (line: string) => void, cases: readonly PayloadCase[]): Promise<OpenApiPlan> {
  const specs = await Promise.all(options.specs.map((source) => loadSpec(source, log)));
  const plan = generate(specs, options, paranoia, cases);
  const attacks = plan.requests.filter((r) => r.expect === "block").length;
  if (options.classesPerParameter !== undefined || attacks <= options.maxRequests) return logged(plan, log);
  // Big specs stay practical: fewer classes per parameter (each parameter other ones, by the seed), not fewer parameters.
  const classesPerParameter = Math.max(1, Math.floor((options.classes.length * options.maxRequests) / attacks));
  log(`OpenAPI: ${attacks} attack requests with every class in every parameter, over --openapi-max-requests ${options.maxRequests}: ${classesPerParameter} of the ${options.classes.length} classes per parameter, drawn by the seed`);
  return logged(generate(specs, { ...options, classesPerParameter }, paranoia, cases), log);
}

function generate(specs: readonly LoadedSpec[], options: OpenApiOptions, paranoia: number, cases: readonly PayloadCase[]): OpenApiPlan & { started: number } {
  const started = Date.now();
  const requests: OpenApiRequest[] = [];
  const generation: OpenApiGeneration = {
    specs: [],
    settings: {
      perClass: options.perClass, seed: options.seed, classes: options.classes, ...(options.classesPerParameter !== undefined && { classesPerParameter: options.classesPerParameter }),
      maxRequests: options.maxRequests, tags: options.tags, ...(options.path && { path: options.path.source }) },
    operations: [],
  };
  const several = specs.length > 1;
  for (const spec of specs) {
    const all = listOperations(spec.doc);
    const ops = filterOperations(all, { tags: options.tags, ...(options.path && { path: options.path }) });
    const made = generateRequests(ops, cases, new SchemaChecker(spec.dialect), {
      ...options, paranoia, spec: spec.name, basePath: spec.basePath, idPrefix: several ? `${spec.name}:` : "",
    });
    requests.push(...made.requests);
    generation.operations.push(...made.operations);
    generation.specs.push({ source: spec.source, title: spec.title, version: spec.version, openapi: String(spec.doc.openapi), basePath: spec.basePath, operations: all.length, selected: ops.length });
  }
  return { requests, generation, started };
}

function logged(plan: OpenApiPlan & { started: number }, log: (line: string) => void): OpenApiPlan {
  const { requests, generation, started } = plan;
  const ops = generation.operations;
  const benignOk = ops.filter((o) => o.noBenign === undefined).length;
  log(
    `OpenAPI: ${ops.length} operations → ${requests.filter((r) => r.expect === "allow").length} benign and ${requests.filter((r) => r.expect === "block").length} attack requests; ` +
      `${benignOk}/${ops.length} operations with a valid benign request (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { requests, generation };
}
