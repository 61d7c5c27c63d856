import { stringify } from "yaml";
import { MASK } from "./plan.ts";

/** `.dockerconfigjson` as `kubectl create secret docker-registry` writes it (and istio-agent reads it). */
export function dockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

export interface PullSecretInput {
  name: string;
  namespace: string;
  server: string;
  username: string;
  password: string;
}

/**
 * The image pull secret, the same object `kubectl create secret docker-registry NAME -n NS --docker-server=…`
 * makes, but built here and sent to `kubectl apply -f -` on standard input, so the password never appears on
 * a command line (where `ps` shows it) and applying it again updates it.
 */
export function pullSecretManifest(input: PullSecretInput): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: input.name, namespace: input.namespace, labels: { "app.kubernetes.io/managed-by": "wafcheck" } },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": Buffer.from(dockerConfigJson(input.server, input.username, input.password)).toString("base64") },
  };
}

/** The same Secret as YAML; `masked` shows the shape (server, user) with the credential data replaced. */
export function pullSecretYaml(input: PullSecretInput, masked: boolean): string {
  const secret = pullSecretManifest(input);
  if (masked) secret.data = { ".dockerconfigjson": `${MASK} (base64 of ${maskedDockerConfig(input)})` };
  return stringify(secret, { lineWidth: 0 });
}

function maskedDockerConfig(input: PullSecretInput): string {
  return JSON.stringify({ auths: { [input.server]: { username: input.username, password: MASK, auth: MASK } } });
}

/** Credentials for a registry from a `.dockerconfigjson` document, as istio-agent looks them up. */
export function credentialsFor(dockerConfig: string, registry: string): { username: string; password: string } | undefined {
  const parsed = JSON.parse(dockerConfig) as { auths?: Record<string, { username?: string; password?: string; auth?: string }> };
  const strip = (s: string) => s.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  for (const [server, entry] of Object.entries(parsed.auths ?? {})) {
    if (strip(server) !== registry) continue;
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  return undefined;
}
