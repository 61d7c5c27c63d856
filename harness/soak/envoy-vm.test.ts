import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEnvoyVmReading, restartsIn, type EnvoyVmReading } from "./envoy-vm.ts";

const STATS = `server.uptime: 40
wasm.coraza.vm_reload: 0
wasm.coraza.vm_reload_failure: 1
wasm.coraza.vm_reload_success: 2
wasm.envoy.wasm.runtime.v8.active: 4
wasm.envoy.wasm.runtime.v8.created: 5
wasmcustom.waf_filter.tx.total: 10
`;

test("Envoy's admin /stats and /memory give uptime, VMs, reloads and its own heap", () => {
  const r = parseEnvoyVmReading(STATS, '{"allocated":"184104040","heap_size":"377487360","total_physical_bytes":"304768830"}');
  assert.deepEqual(r, { uptimeSec: 40, vmsCreated: 5, vmsActive: 4, vmReloads: 3, heapAllocatedBytes: 184104040, heapPhysicalBytes: 304768830 });
  const bare = parseEnvoyVmReading("server.uptime: 3\n", "not json");
  assert.equal(bare.vmReloads, null);
  assert.equal(bare.heapPhysicalBytes, null);
});

test("restarts: uptime going back, VMs created after the first reading, reloads", () => {
  const at = (uptimeSec: number, vmsCreated: number, vmReloads = 0): EnvoyVmReading => ({ uptimeSec, vmsCreated, vmsActive: 4, vmReloads, heapAllocatedBytes: 1, heapPhysicalBytes: 1 });
  assert.deepEqual(restartsIn([at(5, 5), at(10, 5), null, at(15, 5)]), { envoy: 0, vmsCreated: 0, vmReloads: 0, total: 0 });
  assert.deepEqual(restartsIn([at(5, 5), at(10, 6, 1), at(2, 5)]), { envoy: 1, vmsCreated: 1, vmReloads: 1, total: 3 });
});
