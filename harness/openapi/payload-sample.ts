// Which of the corpus's payloads go into one parameter: `perClass` of each class, drawn by a seeded hash of the
// parameter and the case (the same seed and spec give the same requests; another parameter gets other payloads).
// Pure.
import { createHash } from "node:crypto";
import type { CaseClass } from "../payloads/index.ts";

/** What the sampler needs of a corpus case (a loaded Case carries all of it). */
export interface PayloadCase {
  id: string;
  title: string;
  class: CaseClass;
  owasp2025: string;
  owasp2021: string;
  cwe: string;
  severity: "blocker" | "critical" | "normal" | "minor" | "trivial";
  expect: "block" | "allow";
  payload?: string;
  paranoia?: number;
  crsRules?: number[];
  source?: string;
}

/** Classes whose payloads are values of a parameter (others need a request shape of their own: scanners, protocol, uploads, XML). */
export const PARAMETER_CLASSES: readonly CaseClass[] = [
  "sqli", "xss", "rce", "lfi", "rfi", "ssrf", "ssti", "nosqli", "ldapi", "php-injection", "java-injection", "nodejs-injection",
];

export interface SampleOptions {
  perClass: number;
  seed: string;
  classes: readonly CaseClass[];
  /** The run's paranoia level: cases CRS should block at it are drawn first (others would be informational). */
  paranoia: number;
  /** Big specs: only this many of the classes per parameter, drawn by the seed (each parameter gets others). */
  classesPerParameter?: number;
}

/** The attack cases of the corpus that can fill a parameter, by class. */
export function payloadPool(cases: readonly PayloadCase[], classes: readonly CaseClass[]): Map<CaseClass, PayloadCase[]> {
  const pool = new Map<CaseClass, PayloadCase[]>();
  for (const c of cases) {
    if (c.expect !== "block" || c.payload === undefined || !classes.includes(c.class)) continue;
    const list = pool.get(c.class) ?? [];
    list.push(c);
    pool.set(c.class, list);
  }
  return pool;
}

/**
 * `perClass` cases of each class for the parameter `key`, among those `fits` accepts (a header cannot carry a line
 * break). Cases at or below the run's paranoia level first, then by the seeded rank.
 */
export function sampleFor(pool: ReadonlyMap<CaseClass, readonly PayloadCase[]>, key: string, options: SampleOptions, fits: (payload: string) => boolean = () => true): PayloadCase[] {
  const out: PayloadCase[] = [];
  const classes = options.classesPerParameter === undefined
    ? options.classes
    : [...options.classes].sort((a, b) => rank(options.seed, key, a).localeCompare(rank(options.seed, key, b))).slice(0, options.classesPerParameter);
  for (const cls of classes) {
    const ranked = (pool.get(cls) ?? [])
      .filter((c) => fits(c.payload!))
      .map((c) => ({ c, above: (c.paranoia ?? 1) > options.paranoia ? 1 : 0, rank: rank(options.seed, key, c.id) }))
      .sort((a, b) => a.above - b.above || a.rank.localeCompare(b.rank));
    out.push(...ranked.slice(0, options.perClass).map((r) => r.c));
  }
  return out;
}

const rank = (seed: string, key: string, id: string) => createHash("sha256").update(`${seed}\0${key}\0${id}`).digest("hex");
