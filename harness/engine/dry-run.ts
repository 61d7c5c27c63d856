import { replayFileReferences, type RequestSpec, type Target } from "../http/index.ts";
import { reproducer } from "./reproduce.ts";

/** One line of a dry run's listing: what would be sent, as a command that sends it (configured secrets redacted). */
export interface DryRunEntry {
  id: string;
  method: string;
  url: string;
  curl: string;
}

export function dryRunEntry(target: Target, spec: RequestSpec, baseUrl: string, raw?: string): DryRunEntry {
  const command = reproducer(target, baseUrl, spec, raw);
  // A large body is read from replays/, which only a run writes: a dry run says so instead of naming a missing file.
  const fromFile = replayFileReferences(command).length > 0;
  return { id: spec.id, method: spec.method, url: `${baseUrl}${spec.path}`, curl: fromFile ? `${command}   # its body is not listed here: a run writes it to reports/replays/` : command };
}
