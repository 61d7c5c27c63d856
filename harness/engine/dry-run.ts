import type { RequestSpec, Target } from "../http/index.ts";
import { reproducer } from "./reproduce.ts";

/** One line of a dry run's listing: what would be sent, as a command that sends it (configured secrets redacted). */
export interface DryRunEntry {
  id: string;
  method: string;
  url: string;
  curl: string;
}

export function dryRunEntry(target: Target, spec: RequestSpec, baseUrl: string, raw?: string): DryRunEntry {
  return { id: spec.id, method: spec.method, url: `${baseUrl}${spec.path}`, curl: reproducer(target, baseUrl, spec, raw) };
}
