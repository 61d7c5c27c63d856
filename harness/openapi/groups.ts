// The OpenAPI requests as Playwright tests: one per spec and tag, split into parts of whole operations so that two
// workers share a big API evenly. Pure.
import type { OpenApiRequest } from "./generate.ts";

export const OPENAPI_GROUP_SIZE = 300;

export function openapiGroups(requests: readonly OpenApiRequest[], size = OPENAPI_GROUP_SIZE): Array<{ title: string; tags: string[]; requests: OpenApiRequest[] }> {
  const byTag = new Map<string, Map<string, OpenApiRequest[]>>();
  for (const r of requests) {
    const tag = `${r.openapi.spec}: ${r.openapi.tags[0] ?? "untagged"}`;
    const ops = byTag.get(tag) ?? new Map<string, OpenApiRequest[]>();
    const list = ops.get(r.openapi.operation) ?? [];
    list.push(r);
    ops.set(r.openapi.operation, list);
    byTag.set(tag, ops);
  }
  const out: Array<{ title: string; tags: string[]; requests: OpenApiRequest[] }> = [];
  for (const [tag, ops] of byTag) {
    const parts: OpenApiRequest[][] = [[]];
    for (const list of ops.values()) {
      if (parts.at(-1)!.length > 0 && parts.at(-1)!.length + list.length > size) parts.push([]);
      parts.at(-1)!.push(...list);
    }
    parts.forEach((p, i) => out.push({ title: `openapi ${tag}${parts.length > 1 ? ` (${i + 1}/${parts.length})` : ""}`, tags: ["@openapi"], requests: p }));
  }
  return out;
}
