import { createHash } from "node:crypto";
import type { ExpandedRequest } from "./expand.ts";

/**
 * Coraza logs the URI of every matched rule. Requests whose payload is not in the URI share generic paths
 * (/get, /post); giving each its own harmless path lets the harness tell whose log lines are whose.
 */
export function withCorrelationPath<T extends Pick<ExpandedRequest, "id" | "path" | "placement" | "transport">>(request: T): T {
  if (request.transport === "raw" || request.placement === "query" || request.placement === "path") return request;
  const [path, query] = request.path.split("?", 2) as [string, string | undefined];
  if (path !== "/get" && path !== "/post") return request;
  const tag = createHash("sha256").update(request.id).digest("hex").slice(0, 10);
  return { ...request, path: `/anything/r${tag}${query !== undefined ? `?${query}` : ""}` };
}
