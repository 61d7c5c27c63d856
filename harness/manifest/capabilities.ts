import type { CorazaPluginConfig } from "./manifest.ts";

/** Settings a case needs from the WAF's configuration to be judged (capabilitiesOf below tells which a manifest has). */
export const REQUIREMENTS = ["early-blocking"] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

const EARLY_BLOCKING = /setvar:'?tx\.early_blocking=(\d)/;
/** The plug-in's embedded CRS setup (coraza-proxy-wasm's crs-setup.conf.example) enables early blocking (900120). */
const CRS_SETUP_INCLUDE = /^\s*Include\s+@crs-setup(-demo)?-conf\s*$/;

/**
 * The settings of the default directive set that corpus cases may require (`requires:` in a case).
 * early-blocking: CRS 959101 blocks in phase 3 (response headers), while the status can still change;
 * without it an outbound block waits for phase 4, after the status line has gone out. Directives run in
 * order, so the last one that sets it wins.
 */
export function capabilitiesOf(config: CorazaPluginConfig): Set<Requirement> {
  const directives = config.directives_map[config.default_directives] ?? [];
  let earlyBlocking = false;
  for (const d of directives) {
    if (CRS_SETUP_INCLUDE.test(d)) earlyBlocking = true;
    const m = EARLY_BLOCKING.exec(d);
    if (m) earlyBlocking = m[1] === "1";
  }
  return new Set<Requirement>(earlyBlocking ? ["early-blocking"] : []);
}

/** Why a case cannot be judged under this configuration, or undefined when it can. */
export function unmetRequirement(requires: readonly Requirement[] | undefined, met: ReadonlySet<Requirement>): string | undefined {
  const missing = (requires ?? []).filter((r) => !met.has(r));
  if (missing.length === 0) return undefined;
  return `needs ${missing.map((r) => REQUIREMENT_SETTINGS[r]).join(", ")}, which the manifest's default directive set does not set`;
}

const REQUIREMENT_SETTINGS: Record<Requirement, string> = {
  "early-blocking": "setvar:tx.early_blocking=1 (phase-3 blocking)",
};
