import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { CASE_CLASSES, describeIssue } from "../payloads/index.ts";
import type { Target } from "../http/index.ts";

/** A header value is never written in the targets file: it names the environment variable that holds it. */
const headerFromEnv = z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) });

const remoteTargetSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  host: z.string().min(1).optional(),
  tls: z.strictObject({ insecure: z.boolean().optional(), ca: z.string().optional(), servername: z.string().optional() }).optional(),
  headers: z.record(z.string(), headerFromEnv).default({}),
  allowlist: z.array(z.string().min(1)).min(1, "a remote target needs an explicit allowlist of hosts it may send to"),
  rateLimit: z.number().positive().max(1000).default(10),
  concurrency: z.number().int().positive().max(64).default(2),
  // A typo here would silently skip every case of the class it meant: only corpus classes are accepted.
  classes: z.array(z.enum(CASE_CLASSES)).min(1).optional(),
  baselineUrl: z.url().optional(),
  // A gateway whose deny action answers another status (e.g. `deny,status:406`, or a custom block page's status).
  blockStatuses: z.array(z.number().int().min(400).max(599)).min(1).optional(),
  // An Istio gateway whose Envoy admin (config_dump) and istio-agent log can be read: `npm run asm -- verify`
  // then shows what Istio delivered and reports the agent's refusals in its own words.
  istio: z.strictObject({ admin: z.url({ protocol: /^http$/ }), agentLog: z.string().min(1).optional() }).optional(),
});

const targetsFileSchema = z.strictObject({ targets: z.record(z.string().regex(/^[a-z0-9][a-z0-9-_.]*$/i), remoteTargetSchema) });

const TARGET_FIELDS = ["targets", "env", ...Object.keys(remoteTargetSchema.shape), "insecure", "ca", "servername", "admin", "agentLog"];

export type RemoteTargetConfig = z.infer<typeof remoteTargetSchema>;

/** Parses a targets file; errors are one line naming file, target and field. */
export function parseTargetsFile(text: string, source: string): Record<string, RemoteTargetConfig> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UserError(`${source}: invalid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = targetsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const line = describeIssue(issue, raw, TARGET_FIELDS);
    throw new UserError(`${source}: ${issue.path.length > 0 ? line : `(root): ${line}`}`);
  }
  return parsed.data.targets;
}

/** Builds a remote Target, reading secret header values from the environment. */
export function remoteTarget(name: string, config: RemoteTargetConfig, source: string, env: NodeJS.ProcessEnv = process.env): Target {
  const headers: Record<string, string> = {};
  for (const [header, { env: variable }] of Object.entries(config.headers)) {
    const value = env[variable];
    if (value === undefined) throw new UserError(`${source}: targets.${name}.headers.${header}: environment variable ${variable} is not set`);
    headers[header] = value;
  }
  return {
    name,
    kind: "remote",
    baseUrl: config.url.replace(/\/$/, ""),
    hostHeader: config.host,
    tls: config.tls && { insecure: config.tls.insecure, caFile: config.tls.ca, servername: config.tls.servername },
    headers,
    allowlist: config.allowlist,
    rateLimit: config.rateLimit,
    concurrency: config.concurrency,
    classes: config.classes,
    baselineUrl: config.baselineUrl,
    blockStatuses: config.blockStatuses,
  };
}

export async function loadRemoteTarget(name: string, file: string): Promise<Target> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`WAF_TARGET=${name} needs a targets file: cannot read WAF_TARGETS_FILE=${file} (${error.code ?? error.message})`);
  });
  const targets = parseTargetsFile(text, file);
  const config = targets[name];
  if (!config) throw new UserError(`WAF_TARGET=${name}: no such target in ${file} (has: ${Object.keys(targets).join(", ") || "none"})`);
  return remoteTarget(name, config, file);
}
