import { readFile } from "node:fs/promises";
import { UserError } from "../errors.ts";
import { agentRefusals, deliveredPlugin, describeDelivery, type DeliveredPlugin } from "./delivery.ts";

export interface GatewayInspection {
  delivered: DeliveredPlugin | undefined;
  /** istio-agent's words about modules it could not fetch. */
  refusals: string[];
  /** What Istio did differently from what was applied (empty: the plug-in runs as applied). */
  findings: string[];
  lines: string[];
  /** The raw config_dump (for a report attachment). */
  dump: unknown;
}

/**
 * Reads what an Istio gateway runs for WasmPlugin `<namespace>/<name>`: its Envoy's config_dump and
 * istio-agent's log. Waits (bounded, `seconds`) for istiod's push and the agent's fetch to settle: until the
 * plug-in's filter is there and Envoy holds a config for it (the module, or the agent's fallback).
 */
export async function inspectIstioGateway(input: { admin: string; agentLog?: string; plugin: { namespace: string; name: string }; seconds?: number }): Promise<GatewayInspection> {
  const deadline = Date.now() + (input.seconds ?? 180) * 1000;
  let dump: unknown;
  let delivered: DeliveredPlugin | undefined;
  for (;;) {
    const response = await fetch(`${input.admin.replace(/\/$/, "")}/config_dump`, { signal: AbortSignal.timeout(5000) }).catch((error: Error) => {
      throw new UserError(`the gateway's Envoy admin ${input.admin} did not answer (${error.message}): is the gateway up?`);
    });
    dump = await response.json();
    delivered = deliveredPlugin(dump, input.plugin);
    if ((delivered && delivered.running !== "nothing yet") || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const log = input.agentLog ? await readFile(input.agentLog, "utf8").catch(() => "") : "";
  // The log holds the agent's whole history: its refusals explain the present only when the plug-in is not running.
  const refusals = delivered?.running === "wasm" ? [] : agentRefusals(log).slice(-1);
  return { delivered, refusals, dump, ...describeDelivery(delivered, refusals, input.plugin) };
}
