/**
 * What Envoy's admin says about itself and its wasm VMs, read every soak window. Envoy does not report a VM's
 * linear memory, so the plug-in's share is estimated as what the container holds outside Envoy's own heap
 * (RSS minus tcmalloc's physical bytes): the V8 isolates, their wasm memories and compiled code. Restarts show as
 * Envoy's uptime going back, new VMs being created after the first window, or the plug-in's VM being reloaded.
 * Pure: parses the text of /stats and the JSON of /memory.
 */
export interface EnvoyVmReading {
  uptimeSec: number | null;
  /** wasm.envoy.wasm.runtime.v8.created / .active: VMs made since start, and alive now. */
  vmsCreated: number | null;
  vmsActive: number | null;
  /** wasm.<plug-in>.vm_reload_success + vm_reload_failure: the plug-in's VM restarted after a crash. */
  vmReloads: number | null;
  /** tcmalloc: bytes in use by Envoy's own heap, and the heap's physical footprint. */
  heapAllocatedBytes: number | null;
  heapPhysicalBytes: number | null;
}

export function parseEnvoyVmReading(statsText: string, memoryJson: string | undefined): EnvoyVmReading {
  const counters = new Map<string, number>();
  for (const line of statsText.split("\n")) {
    const m = /^([^:\s]+): (\d+)$/.exec(line.trim());
    if (m) counters.set(m[1]!, Number(m[2]));
  }
  const reloads = [...counters].filter(([name]) => /^wasm\.[^.]+\.vm_reload_(success|failure)$/.test(name));
  let memory: Record<string, unknown> = {};
  try {
    memory = memoryJson ? (JSON.parse(memoryJson) as Record<string, unknown>) : {};
  } catch {
    memory = {};
  }
  const bytes = (key: string) => (typeof memory[key] === "string" || typeof memory[key] === "number" ? Number(memory[key]) : null);
  return {
    uptimeSec: counters.get("server.uptime") ?? null,
    vmsCreated: counters.get("wasm.envoy.wasm.runtime.v8.created") ?? null,
    vmsActive: counters.get("wasm.envoy.wasm.runtime.v8.active") ?? null,
    vmReloads: reloads.length === 0 ? null : reloads.reduce((sum, [, v]) => sum + v, 0),
    heapAllocatedBytes: bytes("allocated"),
    heapPhysicalBytes: bytes("total_physical_bytes"),
  };
}

/** Restarts seen over a run's readings (in order): Envoy restarts, VMs created after the first reading, VM reloads. */
export function restartsIn(readings: ReadonlyArray<EnvoyVmReading | null>): { envoy: number; vmsCreated: number; vmReloads: number; total: number } {
  const seen = readings.filter((r): r is EnvoyVmReading => r !== null);
  let envoy = 0;
  for (let i = 1; i < seen.length; i++) if (seen[i]!.uptimeSec !== null && seen[i - 1]!.uptimeSec !== null && seen[i]!.uptimeSec! < seen[i - 1]!.uptimeSec!) envoy++;
  const created = seen.map((r) => r.vmsCreated).filter((x): x is number => x !== null);
  // A restarted Envoy counts its VMs from zero again: only increases count.
  let vmsCreated = 0;
  for (let i = 1; i < created.length; i++) vmsCreated += Math.max(0, created[i]! - created[i - 1]!);
  const vmReloads = Math.max(0, ...seen.map((r) => r.vmReloads ?? 0));
  return { envoy, vmsCreated, vmReloads, total: envoy + vmsCreated + vmReloads };
}
