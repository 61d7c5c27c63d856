// `npm run latency -- --emit k6-operator`: writes the ConfigMap + TestRun that run the k6 script across pods of a
// cluster (a gateway from the targets file), checked against the operator's CRD. Sends nothing, runs no k6.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { parseEnv } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "../report/index.ts";
import { loadRemoteTarget } from "../targets/index.ts";
import { k6OperatorManifests, manifestsYaml, testRunCrd, validateTestRun } from "./k6-operator.ts";
import { DEFAULT_DEFINITION } from "./scenarios.ts";

const K6_SCRIPT = resolve(import.meta.dirname, "../../scripts/k6/latency.ts");

/** scripts/k6/latency.ts and what it imports, as one ES module (k6's own modules stay imports). */
export async function bundleK6Script(): Promise<string> {
  const out = await build({ entryPoints: [K6_SCRIPT], bundle: true, write: false, format: "esm", platform: "neutral", target: "es2020", external: ["k6", "k6/*"], logLevel: "silent" });
  return out.outputFiles[0]!.text;
}

export interface EmitOptions {
  outDir: string;
  parallelism: number;
  namespace: string;
  definitionPath?: string;
  log: (line: string) => void;
}

export async function emitK6Operator(options: EmitOptions): Promise<string> {
  const env = parseEnv();
  if (env.WAF_TARGET === "local")
    throw new UserError("--emit k6-operator: the k6 Operator runs in a cluster, which cannot reach this machine's stack: name a gateway with WAF_TARGET=<name> (targets file)");
  const target = await loadRemoteTarget(env.WAF_TARGET, env.WAF_TARGETS_FILE);
  if (Object.keys(target.headers).length > 0)
    options.log(`target ${target.name} has auth headers: they are not written into the manifest (secrets); the k6 script does not send them`);
  const hosts = [...new Set([new URL(target.baseUrl).hostname, ...(target.baselineUrl ? [new URL(target.baselineUrl).hostname] : [])])];
  const name = `wafcheck-latency-${target.name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`.slice(0, 52);
  const docs = k6OperatorManifests(
    {
      name,
      namespace: options.namespace,
      parallelism: options.parallelism,
      env: {
        WAF_URL: target.baseUrl,
        ...(target.baselineUrl && { BASELINE_URL: target.baselineUrl }),
        ...(target.hostHeader && { HOST: target.hostHeader }),
        K6_ALLOW_HOSTS: hosts.join(","),
        // A gateway gets the open model: the definition's rates are the whole test's, split across the pods.
        K6_MODEL: "open",
      },
      arguments: `--tag testid=${name}`,
    },
    { script: await bundleK6Script(), definition: await readFile(options.definitionPath ?? DEFAULT_DEFINITION, "utf8") },
  );
  const crd = await testRunCrd();
  validateTestRun(docs[1]!, crd.text, crd.source);
  const file = join(options.outDir, "k6-operator", "testrun.yaml");
  await writeFileAtomic(
    file,
    manifestsYaml(docs, `k6 Operator TestRun for the latency scenarios against ${target.name} (${target.baseUrl}), ${options.parallelism} runner pods.\nValidated against ${crd.source}. Apply: kubectl apply -f ${file}`),
  );
  return file;
}
