import { openSync, readSync, closeSync, fstatSync } from "node:fs";

export interface MatchedRule {
  id: number;
  uri: string;
  /** Coraza's message for the rule (e.g. "XSS Attack Detected via libinjection"). */
  msg?: string;
}

const ID = /wasm log [^:]*: .*?\[id "(\d+)"\]/;
const MSG = /\[msg ("(?:[^"\\]|\\.)*")\]/;
const URI = /\[uri ("(?:[^"\\]|\\.)*")\]/;

/** Rules Coraza logged (one `wasm log coraza:` line per matched rule, with the request's URI). */
export function parseMatchedRules(text: string): MatchedRule[] {
  const out: MatchedRule[] = [];
  for (const line of text.split("\n")) {
    const id = ID.exec(line)?.[1];
    const uri = goUnquote(URI.exec(line)?.[1]);
    if (id === undefined || uri === undefined) continue;
    const msg = goUnquote(MSG.exec(line)?.[1]);
    out.push({ id: Number(id), uri, ...(msg !== undefined && { msg }) });
  }
  return out;
}

/** Go's %q output as a string (JSON plus \x escapes). */
function goUnquote(quoted: string | undefined): string | undefined {
  if (quoted === undefined) return undefined;
  try {
    return JSON.parse(quoted.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b")) as string;
  } catch {
    return undefined;
  }
}

/**
 * Follows the Envoy log file a stack writes and answers "which rules matched this URI". Log lines reach the
 * file a few ms after the response, so a lookup can wait for a blocked request's lines to arrive.
 */
export class RuleLog {
  private offset = 0;
  private rules: MatchedRule[] = [];

  constructor(private readonly file: string) {
    this.offset = safeSize(file); // only what happens from now on
  }

  async rulesFor(uri: string, waitMs = 0): Promise<number[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      this.readNew();
      const ids = this.rules.filter((r) => r.uri === uri).map((r) => r.id);
      if (ids.length > 0 || Date.now() >= deadline) {
        this.rules = this.rules.filter((r) => r.uri !== uri);
        return [...new Set(ids)].sort((a, b) => a - b);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private readNew(): void {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      readSync(fd, buffer, 0, buffer.length, this.offset);
      const text = buffer.toString("utf8");
      const complete = text.lastIndexOf("\n") + 1; // leave a half-written line for next time
      this.offset += Buffer.byteLength(text.slice(0, complete));
      this.rules.push(...parseMatchedRules(text.slice(0, complete)));
      if (this.rules.length > 50_000) this.rules.splice(0, this.rules.length - 50_000);
    } finally {
      closeSync(fd);
    }
  }
}

function safeSize(file: string): number {
  try {
    const fd = openSync(file, "r");
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}
