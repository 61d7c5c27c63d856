// The k6 scripts, distributed: a ConfigMap with the bundled script and the scenario definition, and a k6 Operator
// `TestRun` that runs it in N pods, checked against the operator's own CRD schema. k6 itself is not run here.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse, stringify } from "yaml";
import { goModule } from "../artifacts/index.ts";
import { UserError } from "../errors.ts";

/** The operator release whose CRD the manifest is checked against (Go module proxy, hash-pinned). */
export const K6_OPERATOR = { module: "github.com/grafana/k6-operator", version: "v0.0.19", sum: "h1:9qEoO5bo7/Cc6DxbYE9uKHThDgJdl4eaEhC+s8dmrVk=" };
/** Where the operator mounts the script's ConfigMap in each runner pod. */
const MOUNT = "/test";

export interface TestRunInput {
  name: string;
  namespace: string;
  parallelism: number;
  /** The runners' environment: the script's target URLs, HOST, K6_ALLOW_HOSTS, K6_MODEL … (no secrets). */
  env: Record<string, string>;
  /** Extra `k6 run` arguments (e.g. `--tag testid=…`). */
  arguments?: string;
}

/** The two documents to apply: the ConfigMap (script + definition) and the TestRun that runs it `parallelism` ways. */
export function k6OperatorManifests(input: TestRunInput, files: { script: string; definition: string }): Array<Record<string, unknown>> {
  const configMap = `${input.name}-script`;
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: configMap, namespace: input.namespace }, data: { "latency.js": files.script, "scenarios.json": files.definition } },
    {
      apiVersion: "k6.io/v1alpha1",
      kind: "TestRun",
      metadata: { name: input.name, namespace: input.namespace },
      spec: {
        parallelism: input.parallelism,
        // k6 splits each scenario's load across the pods (execution segments): rates and VUs are the whole test's.
        script: { configMap: { name: configMap, file: "latency.js" } },
        ...(input.arguments && { arguments: input.arguments }),
        runner: { env: Object.entries({ ...input.env, WAF_SCENARIOS: `${MOUNT}/scenarios.json` }).map(([name, value]) => ({ name, value })) },
      },
    },
  ];
}

/** Checks a TestRun against the openAPIV3Schema of the operator's CRD; the first problem as one line. */
export function validateTestRun(testRun: Record<string, unknown>, crdText: string, source: string): void {
  const crd = parse(crdText) as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> } };
  const version = String(testRun.apiVersion).split("/")[1];
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
  if (!schema) throw new UserError(`${source}: the CRD has no version ${version}`);
  // Kubernetes' structural schemas carry x-kubernetes-* keywords and int32/int64 formats: not JSON Schema's business.
  const validate = new Ajv({ strict: false, validateFormats: false, allErrors: false }).compile(schema);
  if (!validate(testRun)) {
    const e = validate.errors![0]!;
    throw new UserError(`TestRun ${e.instancePath || "(root)"}: ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""} (checked against ${source})`);
  }
}

/** The TestRun CRD of the pinned operator release, from the Go module proxy (module cache). */
export async function testRunCrd(): Promise<{ text: string; source: string }> {
  const dir = await goModule(K6_OPERATOR.module, K6_OPERATOR.version, K6_OPERATOR.sum);
  const file = "config/crd/bases/k6.io_testruns.yaml";
  return { text: await readFile(join(dir, file), "utf8"), source: `${K6_OPERATOR.module}@${K6_OPERATOR.version} ${file}` };
}

export function manifestsYaml(docs: ReadonlyArray<Record<string, unknown>>, header: string): string {
  return `${header.split("\n").map((l) => `# ${l}`.trimEnd()).join("\n")}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n")}`;
}
