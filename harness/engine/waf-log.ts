import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { CORRELATION_RULE_IDS } from "../envoy/index.ts";

/** One rule Coraza logged for a transaction. */
export interface LoggedRule {
  id: number;
  msg?: string;
  data?: string;
  /** The rule set's version tag (`[ver "OWASP_CRS/4.14.0"]` on CRS rules). */
  ver?: string;
  /** Set when this rule's disruptive action was carried out ("Access denied (phase 2)" → { action: "denied", phase: 2 }). */
  disruptive?: { action: string; phase: number };
}

/** What the WAF's log says about one request, joined by the request's correlation id. */
export interface Transaction {
  requestId: string;
  txId: string;
  /** Matched rules in log order, the two correlation rules left out. */
  rules: LoggedRule[];
  /**
   * The phase-5 correlation line arrived: every line of the earlier phases is in. Phase-5 rules defined after the
   * correlation rule (CRS's 980170) log right after it and are joined too, as long as the request is not taken.
   */
  ended: boolean;
  /** The plug-in's own "Transaction interrupted" line (also for phase-4 blocks, whose rules CRS does not log). */
  interrupted?: { action: string; phase: string };
  /** The WAF's log lines for this request as written (the two correlation lines left out): ftw's log regexes read them. */
  lines: string[];
}

const TX_ID = /\[unique_id "([^"]*)"\]/;
const RULE_ID = /\[id "(\d+)"\]/;
const MSG = /\[msg ("(?:[^"\\]|\\.)*")\]/;
const DATA = /\[data ("(?:[^"\\]|\\.)*")\]/;
const VER = /\[ver "([^"]+)"\]/;
const DISRUPTIVE = /Coraza: Access (denied|dropped|redirected|allowed) \(phase (\d)\)|Coraza: Custom disruptive action triggered \(phase (\d)\)/;

const START_MARK = `[id "${CORRELATION_RULE_IDS.start}"]`;
const INTERRUPTED = /Transaction interrupted tx_id="([^"]*)".*?action="([^"]*)" phase="([^"]*)"/;

/** The plug-in's line for an interruption it carried out: `Transaction interrupted tx_id="…" … action="deny" phase="http_request_headers"`. */
export function parseInterruptionLine(line: string): { txId: string; action: string; phase: string } | undefined {
  const m = INTERRUPTED.exec(line);
  return m ? { txId: m[1]!, action: m[2]!, phase: m[3]! } : undefined;
}

/** A Coraza rule line from Envoy's log (`wasm log …: [client …] Coraza: … [id "…"] … [unique_id "…"]`), or undefined. */
export function parseRuleLine(line: string): { txId: string; rule: LoggedRule } | undefined {
  if (!line.includes("wasm log")) return undefined;
  const txId = TX_ID.exec(line)?.[1];
  const id = RULE_ID.exec(line)?.[1];
  if (txId === undefined || id === undefined) return undefined;
  const msg = goUnquote(MSG.exec(line)?.[1]);
  const data = goUnquote(DATA.exec(line)?.[1]);
  const d = DISRUPTIVE.exec(line);
  const ver = VER.exec(line)?.[1];
  return {
    txId,
    rule: {
      id: Number(id),
      ...(msg !== undefined && { msg }),
      ...(data !== undefined && { data }),
      ...(ver && { ver }),
      ...(d && { disruptive: { action: d[1] ?? "custom", phase: Number(d[2] ?? d[3]) } }),
    },
  };
}

/**
 * Joins log lines into transactions of the requests this process sent (ids starting with `prefix`). Lines come
 * in any interleaving; a transaction's first line is its phase-1 correlation rule, so lines of transactions that
 * did not start with one of ours are someone else's and are dropped (memory stays bounded).
 */
export class TransactionIndex {
  private readonly byTx = new Map<string, Transaction>();
  private readonly byRequest = new Map<string, Transaction>();

  constructor(private readonly prefix: string) {}

  add(text: string): void {
    for (const line of text.split("\n")) {
      const interruption = line.includes("Transaction interrupted") ? parseInterruptionLine(line) : undefined;
      if (interruption) {
        const tx = this.byTx.get(interruption.txId);
        if (tx) {
          tx.interrupted = { action: interruption.action, phase: interruption.phase };
          tx.lines.push(line);
        }
        continue;
      }
      // Every worker reads the whole log: skip other requests' lines before the costlier parse.
      const lineTx = TX_ID.exec(line)?.[1];
      if (lineTx === undefined || (!this.byTx.has(lineTx) && !line.includes(START_MARK))) continue;
      const parsed = parseRuleLine(line);
      if (!parsed) continue;
      const { txId, rule } = parsed;
      if (rule.id === CORRELATION_RULE_IDS.start) {
        if (!rule.data?.startsWith(`${this.prefix}-`)) continue;
        const tx: Transaction = { requestId: rule.data, txId, rules: [], ended: false, lines: [] };
        this.byTx.set(txId, tx);
        this.byRequest.set(rule.data, tx);
        continue;
      }
      const tx = this.byTx.get(txId);
      if (!tx) continue;
      // Phase-5 rules defined after the end rule (CRS 980170) log after its line: keep them until the request is taken.
      if (rule.id === CORRELATION_RULE_IDS.end) tx.ended = true;
      else {
        tx.rules.push(rule);
        tx.lines.push(line);
      }
    }
  }

  get(requestId: string): Transaction | undefined {
    return this.byRequest.get(requestId);
  }

  /** Hands a request's transaction over and forgets it. */
  take(requestId: string): Transaction | undefined {
    const tx = this.byRequest.get(requestId);
    this.byRequest.delete(requestId);
    if (tx) this.byTx.delete(tx.txId);
    return tx;
  }
}

/** Evidence from the WAF's own log for one request (local stacks only). */
export type WafEvidence =
  | { kind: "logged"; txId: string; rules: LoggedRule[]; complete: boolean; interrupted?: { action: string; phase: string }; lines?: string[] }
  /** The WAF logged nothing for it: Envoy answered before the filter, or the rule engine is off. */
  | { kind: "not-logged"; reason: string; /** The WAF logged no request of the batch at all, not even the sentinel. */ wafSilent?: boolean }
  /** The log could not be read: the request's rules are unknown (an infrastructure error locally). */
  | { kind: "unreadable"; reason: string }
  /** Remote targets: status codes only. */
  | { kind: "none" };

/**
 * Follows the Envoy log file the stack writes and settles a batch of requests: after the batch's responses are
 * in, one sentinel request goes through the WAF; once its phase-1 line is in the log, every earlier request's
 * phase-1 line is too (they were written before their responses), so a request with no line by then never
 * reached the WAF. Requests that did reach it are complete when their phase-5 line is in. No fixed waits.
 */
export class WafLog {
  private offset: number;
  private readonly index: TransactionIndex;
  private failure: string | undefined;
  /**
   * What the sentinels said so far. silent: one never showed up (rule engine off, or the plug-in logs nothing), so
   * later batches do not wait; flowing: one arrived, so later batches get the shorter default wait.
   */
  private state: "unknown" | "flowing" | "silent" = "unknown";

  /** `keepLines`: hand each request's raw log lines over with its evidence (the ftw runner matches regexes on them). */
  constructor(private readonly file: string, readonly prefix: string, private readonly keepLines = false) {
    this.index = new TransactionIndex(prefix);
    this.offset = this.size() ?? 0; // only what happens from now on
  }

  /**
   * Evidence for each request id. `sendSentinel` sends one request carrying `sentinelId` through the WAF.
   * Waits at most `timeoutMs` in all (for a WAF that logs nothing). By default 5 s, and 15 s until a first sentinel
   * has shown up: the first batch on a freshly started Envoy once hit the 5 s limit in CI (three CRS regression tests
   * took 5.0 s and one was judged without its rule); a WAF that logs nothing still costs this wait only once per run.
   */
  async settle(requestIds: readonly string[], sentinelId: string, sendSentinel: () => Promise<unknown>, timeoutMs = this.state === "flowing" ? 5_000 : 15_000): Promise<Map<string, WafEvidence>> {
    const deadline = Date.now() + timeoutMs;
    if (this.state !== "silent") {
      await sendSentinel();
      while (!this.read() || !this.index.get(sentinelId)) {
        if (this.failure || Date.now() >= deadline) break;
        await sleep(5);
      }
      if (this.index.get(sentinelId)) this.state = "flowing";
      else if (!this.failure) this.state = "silent";
      this.index.take(sentinelId);
    }
    // Started transactions end within milliseconds (phase 5 runs as the stream closes).
    while (!this.failure && requestIds.some((id) => { const tx = this.index.get(id); return tx !== undefined && !tx.ended; }) && Date.now() < deadline) {
      await sleep(5);
      this.read();
    }
    this.read();
    const out = new Map<string, WafEvidence>();
    for (const id of requestIds) {
      if (this.failure) {
        out.set(id, { kind: "unreadable", reason: this.failure });
        continue;
      }
      const tx = this.index.take(id);
      out.set(
        id,
        tx
          ? { kind: "logged", txId: tx.txId, rules: tx.rules, complete: tx.ended, ...(tx.interrupted && { interrupted: tx.interrupted }), ...(this.keepLines && { lines: tx.lines }) }
          : this.state === "silent"
            ? { kind: "not-logged", reason: "the WAF logged nothing for any request (rule engine off, or its log level hides rule matches)", wafSilent: true }
            : { kind: "not-logged", reason: "no WAF log line: the request did not reach the WAF" },
      );
    }
    return out;
  }

  /** Reads what was appended; false once the file cannot be read (the reason is kept). */
  private read(): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch (error) {
      this.failure = `WAF log ${this.file} unreadable: ${(error as Error).message}`;
      return false;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // truncated or replaced
      if (size === this.offset) return true;
      const buffer = Buffer.alloc(size - this.offset);
      readSync(fd, buffer, 0, buffer.length, this.offset);
      const complete = buffer.lastIndexOf(0x0a) + 1; // leave a half-written line for next time
      this.offset += complete;
      this.index.add(buffer.subarray(0, complete).toString("utf8"));
      return true;
    } catch (error) {
      this.failure = `WAF log ${this.file} unreadable: ${(error as Error).message}`;
      return false;
    } finally {
      closeSync(fd);
    }
  }

  private size(): number | undefined {
    try {
      return statSync(this.file).size;
    } catch {
      return undefined;
    }
  }
}

/** Go's %q output as a string (JSON plus \x escapes). */
export function goUnquote(quoted: string | undefined): string | undefined {
  if (quoted === undefined) return undefined;
  try {
    return JSON.parse(quoted.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b")) as string;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
