// `npm run asm -- <step>`: the ASM tutorial's steps as commands (package, secret, render, apply, verify),
// plus CI helpers (targets, gates). Every step has --dry-run, which prints exactly what it would run.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { parseEnv, reportsDir } from "../harness/config/index.ts";
import { latencyGateOptions } from "../harness/latency/index.ts";
import { reportFatal, UserError } from "../harness/errors.ts";
import { resolveWasm } from "../harness/artifacts/index.ts";
import {
  formatImageRef, formatPlan, ociUrl, parseImageRef, parseSelector, planApply, planPackage, planSecret, PLUGIN_FILE,
  pullSecretManifest, pushedDigest, renderWasmPlugin, runPlan, startAsmStandin, startLocalRegistry, targetsFileText,
  type RenderedPlugin, type StartedStandin, type Stdin, type Step,
} from "../harness/asm/index.ts";
import { onShutdown } from "../harness/stack/index.ts";
import { loadRunManifest } from "../harness/manifest/index.ts";
import { checkGates } from "../harness/remote/index.ts";
import { mergeSummarySections, readJsonIfPresent, summaryPathIn } from "../harness/report/index.ts";
import { parseTargetsFile } from "../harness/targets/index.ts";
import { compareWithStandin, inspectIstioGateway } from "../harness/istio/index.ts";

const ROOT = resolve(import.meta.dirname, "..");

const HELP = `Usage: npm run asm -- <step> [options] [--dry-run]

The tutorial's steps for an ASM (Istio) ingress gateway, as commands. Everything is made
from the manifest the local stack loads (WAF_PLUGIN, default envoy-local/wasm-plugin.yaml).

Steps:
  package   build a FROM-scratch OCI image holding ${PLUGIN_FILE} (the wasm in use: WAF_WASM)
            and push it to the registry named by --url
  secret    create or update the image pull secret (type kubernetes.io/dockerconfigjson)
            in the WasmPlugin's namespace: kubectl apply -f - (password on stdin)
  render    print the WasmPlugin for the gateway (url, pull secret, selector, phase AUTHN,
            the same pluginConfig), validated with Istio's own WasmPlugin schema
  apply     kubectl apply -f - the rendered WasmPlugin
  verify    run every suite against a gateway target (canary first, drift against a local run):
            WAF_TARGET=<name> npx tsx scripts/waf.ts [-- playwright args, e.g. --grep conformance];
            for an Istio gateway whose admin the targets file names (istio: {admin, agentLog}),
            first what Istio delivered (filter, order, pluginConfig, fail strategy) and, when
            the plug-in does not run, istio-agent's refusal as a finding (exit 1)
Local rehearsal:
  standin   start a real registry (127.0.0.1, htpasswd) and a stand-in ASM gateway (Envoy set up
            as an Istio gateway) that pulls the packaged image like istio-agent; prints a targets
            file to run the remote path against; stays up until Ctrl-C
CI helpers:
  targets   print the target names in WAF_TARGETS_FILE as a JSON array (for a CI matrix)
  gates     check a summary.json against the regression gates; exit 1 when one fails
            (latency gates too when WAF_MAX_P95_OVERHEAD_MS / WAF_MAX_P50_RATIO are set)

Options:
  --url oci://REG/REPO:TAG   the image (package) and the WasmPlugin's spec.url (others);
                             default WAF_PLUGIN_URL, else the manifest's spec.url
  --username USER            registry user (default WAF_REGISTRY_USER)
  --password-stdin           read the registry password from standard input
                             (default WAF_REGISTRY_PASSWORD); it is never printed
  --namespace NS --name NAME --pull-secret NAME --selector key=value (repeatable)
  --sha256 DIGEST            spec.sha256: Istio checks the pulled image's manifest digest
  --phase AUTHN|AUTHZ|STATS  default AUTHN (before the gateway's authentication filters)
  --context CTX              kubectl context (secret, apply)
  --target NAME              verify: the gateway target (default WAF_TARGET)
  --summary FILE             gates: default reports/summary.json
  --previous FILE            gates: last run's summary.json (passed counts must not drop)
  --max-infra N              gates: infrastructure errors tolerated per suite (default 0)
  --allow-drift              gates: do not fail on drift
  --dry-run                  print exactly the commands the step would run (secrets masked)
  -h, --help

Exit status: 0 done; 1 a command or gate failed; 2 bad input or a missing tool/credential.`;

const log = (line: string) => console.error(`[asm] ${line}`);

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      "dry-run": { type: "boolean" },
      url: { type: "string" },
      username: { type: "string" },
      "password-stdin": { type: "boolean" },
      namespace: { type: "string" },
      name: { type: "string" },
      "pull-secret": { type: "string" },
      selector: { type: "string", multiple: true },
      sha256: { type: "string" },
      phase: { type: "string" },
      context: { type: "string" },
      target: { type: "string" },
      summary: { type: "string" },
      previous: { type: "string" },
      "max-infra": { type: "string" },
      "allow-drift": { type: "boolean" },
    },
  });
  const [step, ...rest] = positionals;
  if (values.help || !step) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const dryRun = values["dry-run"] ?? false;
  switch (step) {
    case "render": {
      const rendered = await render(values);
      process.stdout.write(rendered.yaml);
      log(`pluginConfig sha256 ${rendered.manifest.pluginConfigSha256} (equals stack.pluginConfigSha256 of a local run of the same manifest); valid against Istio's WasmPlugin schema`);
      return 0;
    }
    case "package": {
      const creds = await credentials(values, dryRun);
      return (await packageStep(values, dryRun, creds)).code;
    }
    case "standin":
      return standinStep(values, dryRun);
    case "secret": {
      const rendered = await render(values);
      if (!rendered.pullSecret) throw new UserError("the WasmPlugin names no imagePullSecret: pass --pull-secret NAME");
      const server = parseImageRef(rendered.url, "--url").registry;
      const creds = await credentials(values, dryRun);
      const steps = planSecret({ name: rendered.pullSecret, namespace: rendered.namespace, server, username: creds.username, password: creds.password.value, context: values.context });
      return execute(steps, dryRun, [creds.password.value], "kubectl");
    }
    case "apply": {
      const rendered = await render(values);
      return execute(planApply({ yaml: rendered.yaml, namespace: rendered.namespace, name: rendered.name, context: values.context }), dryRun, [], "kubectl");
    }
    case "verify": {
      const env = parseEnv();
      const target = values.target ?? (env.WAF_TARGET !== "local" ? env.WAF_TARGET : undefined);
      if (!target) throw new UserError("verify needs a gateway target: --target NAME (a target in WAF_TARGETS_FILE) or WAF_TARGET=NAME");
      const steps: Step[] = [
        {
          title: `every suite against gateway target ${target} (canary first; allowlist, rate limit and concurrency cap from ${env.WAF_TARGETS_FILE}; drift against a local run)`,
          action: {
            kind: "exec",
            env: { WAF_TARGET: target, WAF_TARGETS_FILE: env.WAF_TARGETS_FILE },
            argv: ["npx", "tsx", "scripts/waf.ts", ...rest],
            inherit: true,
          },
        },
      ];
      if (!dryRun && !(await istioDelivered(values, target, env.WAF_TARGETS_FILE))) return 1;
      return execute(steps, dryRun, [], undefined);
    }
    case "targets": {
      const file = parseEnv().WAF_TARGETS_FILE;
      const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
        throw new UserError(`WAF_TARGETS_FILE=${file}: cannot read (${e.code ?? e.message})`);
      });
      console.log(JSON.stringify(Object.keys(parseTargetsFile(text, file))));
      return 0;
    }
    case "gates": {
      const file = values.summary ?? join(process.env.WAF_REPORTS_DIR ?? "reports", "summary.json");
      const maxInfra = values["max-infra"] === undefined ? 0 : Number(values["max-infra"]);
      if (!Number.isInteger(maxInfra) || maxInfra < 0) throw new UserError(`--max-infra ${values["max-infra"]}: expected a whole number`);
      const result = checkGates(await readJsonIfPresent(resolve(file)), {
        maxInfra,
        allowDrift: values["allow-drift"],
        previous: values.previous ? await readJsonIfPresent(resolve(values.previous)) : undefined,
        latency: latencyGateOptions(parseEnv()),
      });
      for (const line of result.lines) console.log(line);
      console.log(result.passed ? `gates passed (${file})` : `gates failed (${file})`);
      return result.passed ? 0 : 1;
    }
    default:
      throw new UserError(`unknown step "${step}" (steps: package, secret, render, apply, verify, standin, targets, gates; see --help)`);
  }
}

type Values = Record<string, string | boolean | string[] | undefined>;

async function render(values: Values): Promise<RenderedPlugin> {
  const env = parseEnv();
  const text = await readFile(env.WAF_PLUGIN, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`WAF_PLUGIN=${env.WAF_PLUGIN}: cannot read the manifest (${error.code ?? error.message})`);
  });
  const run = await loadRunManifest(env); // WAF_PARANOIA applied, as the local stack loads it
  const phase = values.phase as string | undefined;
  if (phase !== undefined && !["AUTHN", "AUTHZ", "STATS"].includes(phase)) throw new UserError(`--phase ${phase}: expected AUTHN, AUTHZ or STATS`);
  return renderWasmPlugin(text, run.source, run, {
    url: (values.url as string | undefined) ?? process.env.WAF_PLUGIN_URL,
    pullSecret: values["pull-secret"] as string | undefined,
    namespace: values.namespace as string | undefined,
    name: values.name as string | undefined,
    selector: parseSelector((values.selector as string[] | undefined) ?? []),
    sha256: values.sha256 as string | undefined,
    phase: phase as "AUTHN" | undefined,
  });
}

async function packageStep(values: Values, dryRun: boolean, creds: Credentials): Promise<{ code: number; digest?: string; wasmSha256?: string }> {
  const env = parseEnv();
  const url = (values.url as string | undefined) ?? process.env.WAF_PLUGIN_URL ?? (await loadRunManifest(env)).resource.spec.url;
  if (typeof url !== "string") throw new UserError("package needs the image to push: --url oci://registry/repo:tag (or WAF_PLUGIN_URL)");
  const image = parseImageRef(url, "--url");
  if (!image.tag || image.digest) throw new UserError(`--url ${url}: name a tag to push (…:1.0), not a digest`);
  if (!dryRun) await requireTool("docker", "the package step builds and pushes with the docker CLI");
  const wasm = await resolveWasm(env.WAF_WASM, log);
  const id = randomBytes(4).toString("hex");
  const steps = planPackage({
    image,
    wasm,
    username: creds.username,
    password: creds.password,
    contextDir: join(tmpdir(), `wafcheck-package-${id}`),
    dockerConfigDir: join(tmpdir(), `wafcheck-docker-config-${id}`),
  });
  if (dryRun) {
    console.log(`# package (dry run): ${PLUGIN_FILE} = ${wasm.source}, sha256 ${wasm.sha256}`);
    console.log(formatPlan(steps, [creds.password.value]));
    return { code: 0 };
  }
  const results = await runPlan(steps, { secrets: [creds.password.value], log });
  const digest = pushedDigest(results.map((r) => r.output).join("\n"));
  console.log(`IMAGE=${formatImageRef(image)}`);
  console.log(`URL=${ociUrl(image)}`);
  if (digest) console.log(`DIGEST=${digest}`);
  console.log(`WASM_SHA256=${wasm.sha256}`);
  log(`pushed ${PLUGIN_FILE} (${wasm.source}); next: npm run asm -- render --url ${ociUrl(image)}${digest ? ` --sha256 ${digest.slice(7)}` : ""}`);
  return { code: 0, digest, wasmSha256: wasm.sha256 };
}

/** The whole path on this machine: registry → package → render → stand-in gateway pulling like istio-agent. */
async function standinStep(values: Values, dryRun: boolean): Promise<number> {
  if (dryRun) throw new UserError("standin runs only on this machine (127.0.0.1); it has no --dry-run: see the package/render steps' --dry-run");
  const host = "app.asm-standin.test";
  const registry = await startLocalRegistry({ log });
  let standin: StartedStandin | undefined;
  const url = `oci://${registry.host}/wasm/coraza-proxy-wasm:standin`;
  const stop = async () => {
    await standin?.stop();
    await registry.stop();
    await execa("docker", ["rmi", "-f", url.slice("oci://".length)], { reject: false }); // the tag names a registry that is gone
  };
  onShutdown(stop, log);
  try {
    const pushed = await packageStep({ ...values, url }, false, {
      username: registry.username,
      password: { value: registry.password, shown: { from: "stdin" } },
    });
    const rendered = await render({ ...values, url, sha256: pushed.digest?.slice(7) });
    const secret = pullSecretManifest({ name: rendered.pullSecret ?? "pull", namespace: rendered.namespace, server: registry.host, username: registry.username, password: registry.password });
    standin = await startAsmStandin({
      wasmPluginYaml: rendered.yaml,
      dockerConfigJson: Buffer.from((secret.data as Record<string, string>)[".dockerconfigjson"]!, "base64").toString("utf8"),
      host,
      expectedWasmSha256: pushed.wasmSha256,
      log,
    });
    const dir = resolve(ROOT, ".wafcheck/asm-standin");
    await mkdir(dir, { recursive: true });
    const targets = join(dir, "targets.yaml");
    await writeFile(targets, targetsFileText("asm-standin", standin.targetsEntry()));
    await writeFile(join(dir, "wasm-plugin.yaml"), rendered.yaml);
    console.log(`WAF_TARGETS_FILE=${targets}`);
    console.log("WAF_TARGET=asm-standin");
    console.log(`GATEWAY_URL=${standin.url}`);
    console.log(`GATEWAY_HOST=${host}`);
    log(`stand-in gateway up (Envoy ${standin.stack.envoyVersion}, plug-in pulled from ${url}); try:`);
    log(`  WAF_TARGET=asm-standin WAF_TARGETS_FILE=${targets} npm run waf -- --dry-run`);
    log(`  WAF_TARGETS_FILE=${targets} npm run asm -- verify --target asm-standin`);
    log("press Ctrl-C to stop");
  } catch (error) {
    await stop();
    throw error;
  }
  await new Promise(() => setInterval(() => undefined, 1 << 30));
  return 0;
}

/**
 * A target naming an Istio gateway's admin (targets file `istio:`): before any suite, what Istio delivered for
 * the rendered WasmPlugin, from the gateway's config_dump and istio-agent's log. False (with findings in
 * Istio's own words) when the gateway does not run the plug-in as applied: the suites would only measure
 * Istio's fallback.
 */
async function istioDelivered(values: Values, target: string, targetsFile: string): Promise<boolean> {
  const text = await readFile(targetsFile, "utf8").catch(() => undefined);
  const istio = text === undefined ? undefined : parseTargetsFile(text, targetsFile)[target]?.istio;
  if (!istio) return true;
  const rendered = await render(values);
  const plugin = { namespace: rendered.namespace, name: rendered.name };
  const inspection = await inspectIstioGateway({ admin: istio.admin, agentLog: istio.agentLog, plugin });
  log(`what Istio delivered for WasmPlugin ${plugin.namespace}/${plugin.name} (${istio.admin}/config_dump):`);
  for (const line of inspection.lines) log(`  ${line}`);
  const beside = compareWithStandin(inspection.delivered, plugin, rendered.manifest.pluginConfig);
  for (const line of beside) log(`  ${line}`);
  for (const finding of inspection.findings) log(`finding: ${finding}`);
  // summary.json `istioDelivery`: a section another command writes, as npm run latency's; the run that follows
  // carries it, and when verify stops here (no run), it is the report of what Istio did.
  const summary = summaryPathIn(reportsDir());
  await mergeSummarySections(summary, {
    istioDelivery: { target, inspectedAt: new Date().toISOString(), plugin, delivered: inspection.delivered ?? null, findings: inspection.findings, besideStandin: beside.slice(1).map((l) => l.trim()) },
  });
  log(`what Istio delivered → ${summary} (istioDelivery)`);
  return inspection.findings.length === 0;
}

type Credentials = { username: string; password: { value: string; shown: Stdin } };

async function credentials(values: Values, dryRun: boolean): Promise<Credentials> {
  const username = (values.username as string | undefined) ?? process.env.WAF_REGISTRY_USER;
  const missing = "registry credentials missing: set WAF_REGISTRY_USER and WAF_REGISTRY_PASSWORD, or pass --username USER and pipe the password to --password-stdin";
  if (!username) throw new UserError(missing);
  if (values["password-stdin"]) {
    if (dryRun) return { username, password: { value: "", shown: { from: "stdin" } } };
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const value = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
    if (!value) throw new UserError("--password-stdin: standard input was empty");
    return { username, password: { value, shown: { from: "stdin" } } };
  }
  const value = process.env.WAF_REGISTRY_PASSWORD;
  if (!value) throw new UserError(missing);
  return { username, password: { value, shown: { from: "env", name: "WAF_REGISTRY_PASSWORD" } } };
}

async function execute(steps: Step[], dryRun: boolean, secrets: string[], tool: string | undefined): Promise<number> {
  if (dryRun) {
    console.log(formatPlan(steps, secrets));
    return 0;
  }
  if (tool) await requireTool(tool, tool === "kubectl" ? "point it at the ASM instance's kubeconfig (the tutorial's 'connect with kubectl')" : "");
  await runPlan(steps, { secrets, log, cwd: ROOT });
  return 0;
}

async function requireTool(name: string, why: string): Promise<void> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && (await stat(join(dir, name)).then((s) => s.isFile(), () => false))) return;
  }
  throw new UserError(`${name} not found on PATH${why ? `: ${why}` : ""} (or use --dry-run to print the commands)`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  reportFatal,
);
