import assert from "node:assert/strict";
import { test } from "node:test";
import { ceilingPerSecond, cgroupCpuFiles, cpuDelta, cpuSecondsFromCgroupFile, resourcesFromStats, type ContainerResources } from "./resources.ts";

// The stack's Envoy container, idle after start-up (V8 compiled the plug-in), on a cgroup v1 host
// (Docker 20.10, cgroupfs driver): GET /containers/{id}/stats?stream=false, cpu_stats and memory_stats as returned.
const CGROUP_V1 = {
  read: "2026-11-29T16:12:16.469918693Z",
  cpu_stats: {
    cpu_usage: { total_usage: 28651184535, percpu_usage: [13788295236, 14862889299], usage_in_kernelmode: 570000000, usage_in_usermode: 28070000000 },
    system_cpu_usage: 17855500000000,
    online_cpus: 2,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  memory_stats: {
    usage: 558985216,
    max_usage: 559767552,
    stats: {
      active_anon: 4096, active_file: 17489920, cache: 17911808, dirty: 0, hierarchical_memory_limit: 9223372036854771712,
      hierarchical_memsw_limit: 9223372036854771712, inactive_anon: 538652672, inactive_file: 417792, mapped_file: 10473472,
      pgfault: 188618, pgmajfault: 34, pgpgin: 187169, pgpgout: 51289, rss: 538652672, rss_huge: 0, total_active_anon: 4096,
      total_active_file: 17489920, total_cache: 17911808, total_dirty: 0, total_inactive_anon: 538652672, total_inactive_file: 417792,
      total_mapped_file: 10473472, total_pgfault: 188618, total_pgmajfault: 34, total_pgpgin: 187169, total_pgpgout: 51289,
      total_rss: 538652672, total_rss_huge: 0, total_unevictable: 0, total_writeback: 0, unevictable: 0, writeback: 0,
    },
    limit: 25276502016,
  },
};

// A cgroup v2 host's reply (memory.stat keys; no percpu_usage, no max_usage). This machine runs cgroup v1, so the
// shape follows a v2 engine's one-shot reply and the numbers are Envoy-like, not captured here.
const CGROUP_V2 = {
  read: "2026-11-29T16:20:03.118342911Z",
  cpu_stats: {
    cpu_usage: { total_usage: 31402117000, usage_in_kernelmode: 812440000, usage_in_usermode: 30589677000 },
    system_cpu_usage: 20575320000000,
    online_cpus: 8,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  },
  memory_stats: {
    usage: 577433600,
    stats: {
      active_anon: 4096, active_file: 12886016, anon: 541388800, anon_thp: 0, file: 26345472, file_dirty: 0, file_mapped: 10473472,
      file_writeback: 0, inactive_anon: 541384704, inactive_file: 13459456, kernel_stack: 163840, pgactivate: 3071, pgdeactivate: 0,
      pgfault: 190233, pgmajfault: 41, shmem: 0, slab: 2101248, slab_reclaimable: 1490944, slab_unreclaimable: 610304, sock: 0,
      unevictable: 0, workingset_activate: 0, workingset_refault: 0,
    },
    limit: 24973926400,
  },
};

test("cgroup v1: CPU in seconds, memory less total_inactive_file (as docker stats), RSS from total_rss", () => {
  assert.deepEqual(resourcesFromStats(CGROUP_V1), {
    cpuSeconds: 28.651184535,
    memoryBytes: 558985216 - 417792,
    rssBytes: 538652672,
    onlineCpus: 2,
  });
});

test("cgroup v2: memory less inactive_file, RSS from anon", () => {
  assert.deepEqual(resourcesFromStats(CGROUP_V2), {
    cpuSeconds: 31.402117,
    memoryBytes: 577433600 - 13459456,
    rssBytes: 541388800,
    onlineCpus: 8,
  });
});

test("cgroup v1 without the hierarchical totals: RSS from rss", () => {
  const { total_rss: _, ...stats } = CGROUP_V1.memory_stats.stats;
  assert.equal(resourcesFromStats({ ...CGROUP_V1, memory_stats: { ...CGROUP_V1.memory_stats, stats } }).rssBytes, 538652672);
});

test("no memory breakdown: memory is the raw usage and RSS is left out", () => {
  const r = resourcesFromStats({ cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 } }, memory_stats: { usage: 1000 } });
  assert.deepEqual(r, { cpuSeconds: 1.5, memoryBytes: 1000 });
});

test("inactive file cache not below usage is not subtracted (docker stats does the same)", () => {
  const r = resourcesFromStats({ cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: { usage: 1000, stats: { inactive_file: 1000 } } });
  assert.equal(r.memoryBytes, 1000);
});

test("missing counters are named in the error", () => {
  assert.throws(() => resourcesFromStats({ memory_stats: CGROUP_V1.memory_stats }), /cpu_stats\.cpu_usage\.total_usage/);
  // What Docker returns for a stopped container: zero CPU, empty memory_stats.
  assert.throws(() => resourcesFromStats({ cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} }), /memory_stats\.usage/);
});

test("cpuDelta: CPU between two readings per unit of work, and the throughput ceiling it implies", () => {
  const at = (cpuSeconds: number): ContainerResources => ({ cpuSeconds, memoryBytes: 0 });
  const d = cpuDelta(at(28.65), at(48.45), 1000, 12.5);
  assert.ok(Math.abs(d.cpuSeconds - 19.8) < 1e-9);
  assert.ok(Math.abs(d.cpuMsPerUnit - 19.8) < 1e-9);
  assert.ok(Math.abs(d.coresBusy! - 1.584) < 1e-9);
  assert.equal(Math.floor(ceilingPerSecond(d.cpuMsPerUnit, 2)), 101);
  assert.equal(cpuDelta(at(1), at(2), 10).coresBusy, undefined);
  assert.equal(ceilingPerSecond(0, 2), Infinity);
});

test("cpuDelta refuses nonsense: no units, or a counter that went backwards (container restarted)", () => {
  const at = (cpuSeconds: number): ContainerResources => ({ cpuSeconds, memoryBytes: 0 });
  assert.throws(() => cpuDelta(at(1), at(2), 0), /positive number of units/);
  assert.throws(() => cpuDelta(at(5), at(2), 10), /went backwards/);
});

test("cgroup CPU files from /proc/<pid>/cgroup: v1's cpuacct.usage, v2's cpu.stat", () => {
  const v1 = "2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n0::/docker/abc\n";
  assert.deepEqual(cgroupCpuFiles(v1, "/cg").slice(0, 2), ["/cg/cpuacct/docker/abc/cpuacct.usage", "/cg/docker/abc/cpu.stat"]);
  assert.deepEqual(cgroupCpuFiles("4:cpu,cpuacct:/docker/x\n", "/cg"), ["/cg/cpu,cpuacct/docker/x/cpuacct.usage", "/cg/cpuacct/docker/x/cpuacct.usage"]);
  assert.deepEqual(cgroupCpuFiles("0::/system.slice/docker-x.scope\n", "/cg"), ["/cg/system.slice/docker-x.scope/cpu.stat", "/cg/unified/system.slice/docker-x.scope/cpu.stat"]);
  assert.equal(cpuSecondsFromCgroupFile("/a/cpuacct.usage", "28961034001\n"), 28.961034001);
  assert.equal(cpuSecondsFromCgroupFile("/a/cpu.stat", "usage_usec 1500000\nuser_usec 1000000\n"), 1.5);
  assert.equal(cpuSecondsFromCgroupFile("/a/cpu.stat", "nr_periods 0\n"), undefined);
});
