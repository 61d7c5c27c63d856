// What a run takes from an OpenAPI description, from WAF_OPENAPI and npm run waf's --openapi* options. Bad values
// are one line naming the option, exit 2.
import { parseArgs } from "node:util";
import { UserError } from "../errors.ts";
import { CASE_CLASSES, type CaseClass } from "../payloads/index.ts";
import { PARAMETER_CLASSES } from "./payload-sample.ts";

export interface OpenApiOptions {
  specs: string[];
  tags: string[];
  path?: RegExp;
  perClass: number;
  seed: string;
  classes: CaseClass[];
  classesPerParameter?: number;
  /** Attack requests a run plans at most before it draws fewer classes per parameter (unless classesPerParameter is given). */
  maxRequests: number;
}

/** About 10 minutes of the local stack on a 2-core machine (GitHub's REST description: 1,223 operations, ~15k requests in 7.5 min). */
export const DEFAULT_MAX_REQUESTS = 15_000;

export const OPENAPI_HELP = `OpenAPI input (also WAF_OPENAPI=spec.yaml[,…]):
  --openapi <spec>           an OpenAPI 3.0/3.1 description (YAML or JSON; repeatable), or a package a registry ships:
                             npm:<package>@<version>/<file>, e.g. npm:@octokit/openapi@23.0.2/generated/api.github.com.json
  --openapi-tag <t1,t2>      only operations with one of these tags
  --openapi-path <regexp>    only operations whose path template matches
  --openapi-per-class <n>    corpus payloads per class and parameter (default 1)
  --openapi-seed <text>      seed of the payload sampling (default wafcheck)
  --openapi-classes <c1,c2>  attack classes (default ${PARAMETER_CLASSES.join(",")})
  --openapi-classes-per-parameter <n>
                             n of those classes per parameter, drawn by the seed (default: all, or as many
                             as --openapi-max-requests allows)
  --openapi-max-requests <n> attack requests at most before fewer classes are drawn per parameter (default ${DEFAULT_MAX_REQUESTS})`;

const FLAGS = {
  openapi: { type: "string", multiple: true },
  "openapi-tag": { type: "string", multiple: true },
  "openapi-path": { type: "string" },
  "openapi-per-class": { type: "string" },
  "openapi-seed": { type: "string" },
  "openapi-classes": { type: "string" },
  "openapi-classes-per-parameter": { type: "string" },
  "openapi-max-requests": { type: "string" },
} as const;

/** The --openapi* options (removed from argv: the rest goes to Playwright) merged with WAF_OPENAPI. */
export function parseOpenApiArgs(argv: readonly string[], fromEnv: string | undefined): { options?: OpenApiOptions; rest: string[] } {
  const mine: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.replace(/^--/, "").split("=")[0]!;
    if (a.startsWith("--") && name in FLAGS) {
      mine.push(a);
      if (!a.includes("=") && i + 1 < argv.length) mine.push(argv[++i]!);
    } else rest.push(a);
  }
  const { values } = parseArgs({ args: mine, options: FLAGS, strict: true });
  const list = (xs: readonly string[] | undefined) => (xs ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
  const specs = [...list(fromEnv ? [fromEnv] : []), ...list(values.openapi)];
  if (specs.length === 0) {
    const stray = Object.keys(values).find((k) => k !== "openapi");
    if (stray) throw new UserError(`--${stray} needs --openapi <spec> (or WAF_OPENAPI)`);
    return { rest };
  }
  const perClass = Number(values["openapi-per-class"] ?? "1");
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > 50) throw new UserError(`--openapi-per-class: "${values["openapi-per-class"]}" (expected a whole number 1-50)`);
  let path: RegExp | undefined;
  if (values["openapi-path"] !== undefined) {
    try {
      path = new RegExp(values["openapi-path"]);
    } catch (error) {
      throw new UserError(`--openapi-path: ${(error as Error).message}`);
    }
  }
  const cpp = values["openapi-classes-per-parameter"];
  const classesPerParameter = cpp === undefined ? undefined : Number(cpp);
  if (classesPerParameter !== undefined && (!Number.isInteger(classesPerParameter) || classesPerParameter < 1)) throw new UserError(`--openapi-classes-per-parameter: "${cpp}" (expected a whole number ≥ 1)`);
  const maxRequests = Number(values["openapi-max-requests"] ?? DEFAULT_MAX_REQUESTS);
  if (!Number.isInteger(maxRequests) || maxRequests < 1) throw new UserError(`--openapi-max-requests: "${values["openapi-max-requests"]}" (expected a whole number ≥ 1)`);
  const classes = values["openapi-classes"] === undefined ? [...PARAMETER_CLASSES] : list([values["openapi-classes"]]);
  for (const c of classes) if (!(CASE_CLASSES as readonly string[]).includes(c) || c === "benign") throw new UserError(`--openapi-classes: unknown attack class "${c}" (one of ${CASE_CLASSES.filter((x) => x !== "benign").join(", ")})`);
  return {
    options: { specs, tags: list(values["openapi-tag"]), ...(path && { path }), perClass, seed: values["openapi-seed"] ?? "wafcheck", classes: classes as CaseClass[], maxRequests, ...(classesPerParameter !== undefined && { classesPerParameter }) },
    rest,
  };
}
