import { readFile } from "node:fs/promises";
import type { ContainerRuntimeClient } from "testcontainers";

/** A container's resource use as Docker reports it (cgroup counters): CPU is cumulative since the container started. */
export interface ContainerResources {
  /** CPU time the container has used since it started, user + kernel, all cores. */
  cpuSeconds: number;
  /** Memory in use the way `docker stats` shows it: the cgroup's usage minus inactive file cache. */
  memoryBytes: number;
  /** Anonymous memory (heap, stacks, V8's compiled code): the cgroup's RSS; absent where the engine does not report it. */
  rssBytes?: number;
  /** CPUs the container may use (`online_cpus`); absent where the engine does not report it. */
  onlineCpus?: number;
}

/**
 * The fields of Docker's `GET /containers/{id}/stats?stream=false` that are read here. `memory_stats.stats`
 * holds cgroup v2's memory.stat keys (`anon`, `inactive_file`) or cgroup v1's (`rss`, `total_rss`,
 * `total_inactive_file`, …), depending on the host.
 */
export interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; online_cpus?: number };
  memory_stats?: {
    usage?: number;
    stats?: { anon?: number; inactive_file?: number; rss?: number; total_rss?: number; total_inactive_file?: number };
  };
}

export function resourcesFromStats(stats: DockerStats): ContainerResources {
  const cpuNanos = stats.cpu_stats?.cpu_usage?.total_usage;
  if (typeof cpuNanos !== "number") throw new Error("Docker stats have no cpu_stats.cpu_usage.total_usage (is the container running?)");
  const usage = stats.memory_stats?.usage;
  if (typeof usage !== "number") throw new Error("Docker stats have no memory_stats.usage (is the container running?)");
  const memory = stats.memory_stats?.stats ?? {};
  const rssBytes = memory.anon ?? memory.total_rss ?? memory.rss;
  const onlineCpus = stats.cpu_stats?.online_cpus;
  return {
    cpuSeconds: cpuNanos / 1e9,
    memoryBytes: usage - inactiveFile(memory, usage),
    ...(rssBytes !== undefined && { rssBytes }),
    ...(onlineCpus !== undefined && onlineCpus > 0 && { onlineCpus }),
  };
}

/** The cache `docker stats` leaves out of MEM USAGE (docker/cli calculateMemUsageUnixNoCache): v1 first, then v2. */
function inactiveFile(memory: NonNullable<NonNullable<DockerStats["memory_stats"]>["stats"]>, usage: number): number {
  const v1 = memory.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return v1;
  const v2 = memory.inactive_file ?? 0;
  return v2 < usage ? v2 : 0;
}

export interface CpuDelta {
  /** CPU time used between the two readings. */
  cpuSeconds: number;
  /** That time per unit of work (per request, per test), in milliseconds. */
  cpuMsPerUnit: number;
  /** Average number of cores kept busy, when the wall time between the readings is given. */
  coresBusy?: number;
}

/** CPU used between two readings of the same container, per unit of work done in between (`units` > 0). */
export function cpuDelta(before: ContainerResources, after: ContainerResources, units: number, wallSeconds?: number): CpuDelta {
  if (!(units > 0)) throw new RangeError(`cpuDelta needs a positive number of units, got ${units}`);
  const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
  if (cpuSeconds < 0) throw new RangeError("CPU time went backwards between the readings (was the container restarted?)");
  return {
    cpuSeconds,
    cpuMsPerUnit: (cpuSeconds * 1000) / units,
    ...(wallSeconds !== undefined && wallSeconds > 0 && { coresBusy: cpuSeconds / wallSeconds }),
  };
}

/** CPU milliseconds per 1,000 requests over metered blocks of load; null without any request. */
export function cpuMsPer1k(blocks: ReadonlyArray<{ cpuSeconds: number; requests: number }>): number | null {
  const cpu = blocks.reduce((s, b) => s + b.cpuSeconds, 0);
  const requests = blocks.reduce((s, b) => s + b.requests, 0);
  return requests > 0 ? Math.round((cpu * 1e6) / requests * 10) / 10 : null; // s per request × 1,000 requests × 1,000 ms
}

/** Units per second the container could do at most if it had `cores` cores to itself: 19.8 ms/unit on 2 cores → 101/s. */
export function ceilingPerSecond(cpuMsPerUnit: number, cores: number): number {
  return cpuMsPerUnit > 0 ? (cores * 1000) / cpuMsPerUnit : Infinity;
}

/** One reading of a running container's cgroup counters through the Docker API (one-shot: no 1 s sampling wait). */
export async function readContainerResources(client: ContainerRuntimeClient, containerName: string): Promise<ContainerResources> {
  const stats = await client.container.dockerode.getContainer(containerName).stats({ stream: false, "one-shot": true });
  return resourcesFromStats(stats);
}

/** A container's cumulative CPU seconds, readable many times a second (a block of load is 0.5 s). */
export interface CpuCounter {
  read(): Promise<number>;
  /** Where the figure comes from (printed beside it). */
  source: string;
}

/**
 * The files that hold a process's cgroup CPU usage, from its /proc/<pid>/cgroup text: cgroup v1's
 * cpuacct.usage (ns) under the cpuacct hierarchy, or cgroup v2's cpu.stat (usage_usec) under the unified one.
 */
export function cgroupCpuFiles(procCgroup: string, root = "/sys/fs/cgroup"): string[] {
  const files: string[] = [];
  for (const line of procCgroup.split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined || controllers === undefined) continue;
    if (controllers.split(",").includes("cpuacct")) files.push(`${root}/${controllers}${path}/cpuacct.usage`, `${root}/cpuacct${path}/cpuacct.usage`);
    if (controllers === "") files.push(`${root}${path}/cpu.stat`, `${root}/unified${path}/cpu.stat`);
  }
  return [...new Set(files)];
}

/** Seconds from a cgroup CPU file: cpuacct.usage (ns) or cpu.stat's usage_usec; undefined when it holds neither. */
export function cpuSecondsFromCgroupFile(file: string, text: string): number | undefined {
  if (file.endsWith("cpuacct.usage")) return /^\d+$/.test(text.trim()) ? Number(text.trim()) / 1e9 : undefined;
  const usec = /^usage_usec (\d+)$/m.exec(text)?.[1];
  return usec === undefined ? undefined : Number(usec) / 1e6;
}

/**
 * The fastest CPU counter of a running container: its cgroup file when the engine runs on this host (a read takes
 * microseconds), else the Docker API (a stats read takes about a second here, too slow to meter short blocks).
 */
export async function containerCpuCounter(client: ContainerRuntimeClient, containerName: string): Promise<CpuCounter> {
  const pid = (await client.container.dockerode.getContainer(containerName).inspect()).State.Pid;
  const procCgroup = pid > 0 ? await readFile(`/proc/${pid}/cgroup`, "utf8").catch(() => "") : "";
  for (const file of cgroupCpuFiles(procCgroup)) {
    const read = async () => cpuSecondsFromCgroupFile(file, await readFile(file, "utf8"));
    if ((await read().catch(() => undefined)) !== undefined) return { read: async () => (await read())!, source: `cgroup ${file.split("/").pop()}` };
  }
  return { read: async () => (await readContainerResources(client, containerName)).cpuSeconds, source: "Docker stats API" };
}
