/**
 * CPU pinning for latency measurements: Envoy gets CPUs of its own, and everything else the measurement runs
 * (httpbin and the other app containers, this load generator) gets the rest.
 *
 * Why: on a small machine the scheduler moves Envoy's worker between the cores it shares with the load generator
 * and httpbin, and each move or eviction costs the WAF its warm CPU caches (CRS walks a large heap and much
 * compiled code). On the 2-core CI VM, runs alternating on one stack gave a CRS overhead (p50) of 2.45–4.21 ms
 * for a small GET and 8.2–9.4 ms for a 10-field form unpinned, 2.26–2.81 and 7.1–7.7 ms pinned. A gateway gives
 * Envoy cores of its own too. Pinning cannot remove slow spells of the VM's host, which move every Envoy on the
 * machine at once. cpuSplit and cpuList are pure; applyCpuPinning and pinStack make the Docker and taskset calls.
 */
import { existsSync } from "node:fs";
import { execa } from "execa";
import type { ContainerRuntimeClient } from "testcontainers";
import { LABEL_RUN } from "../config/index.ts";

export interface CpuSplit {
  envoy: number[];
  others: number[];
}

/** What a latency run says about pinning (summary.json `latency.cpuPinning`). */
export interface CpuPinning {
  pinned: boolean;
  /** cpuset of the Envoy container, e.g. "1". */
  envoyCpus?: string;
  /** cpuset of the other containers and of the load generator, e.g. "0". */
  othersCpus?: string;
  /** Whether this process (the load generator) was pinned too, or why not. */
  loadGenerator?: string;
  note: string;
}

/** Envoy takes the upper half of the CPUs (at least one), the rest the lower half; one CPU: nothing to split. */
export function cpuSplit(cpus: readonly number[]): CpuSplit | null {
  const sorted = ascending(cpus);
  if (sorted.length < 2) return null;
  const othersCount = Math.floor(sorted.length / 2);
  return { others: sorted.slice(0, othersCount), envoy: sorted.slice(othersCount) };
}

/** Docker's and taskset's list syntax, with runs folded: [0,1,2,5] → "0-2,5". */
export function cpuList(cpus: readonly number[]): string {
  const sorted = ascending(cpus);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

const ascending = (cpus: readonly number[]) => [...new Set(cpus)].sort((a, b) => a - b);

export const UNPINNED_NOTE = "not pinned (--unpinned): Envoy shares every CPU with httpbin and the load generator, so figures move more between runs";

/** Pins a started stack's run: the engine's CPUs from `docker info`; "same machine" when Envoy's PID is in our /proc. */
export async function pinStack(client: ContainerRuntimeClient, run: string, envoyContainer: string): Promise<CpuPinning> {
  const docker = client.container.dockerode;
  const cpus = Number((await docker.info()).NCPU);
  const pid = (await docker.getContainer(envoyContainer).inspect()).State.Pid;
  const sameMachine = process.platform === "linux" && pid > 0 && existsSync(`/proc/${pid}`);
  return applyCpuPinning(client, run, envoyContainer, Array.from({ length: cpus }, (_, i) => i), sameMachine);
}

/**
 * Pins one run's containers (found by its label): `envoyContainer` to `split.envoy`, every other container to
 * `split.others`, and this process (all its threads) to `split.others` with taskset when the engine runs on this
 * machine. Failing to pin the load generator is reported, not fatal.
 */
export async function applyCpuPinning(
  client: ContainerRuntimeClient,
  run: string,
  envoyContainer: string,
  engineCpus: readonly number[],
  sameMachine: boolean,
): Promise<CpuPinning> {
  const split = cpuSplit(engineCpus);
  if (!split) return { pinned: false, note: `not pinned: the Docker engine has ${engineCpus.length} CPU, nothing to split` };
  const [envoyCpus, othersCpus] = [cpuList(split.envoy), cpuList(split.others)];
  const docker = client.container.dockerode;
  try {
    for (const info of await docker.listContainers({ filters: { label: [`${LABEL_RUN}=${run}`] } })) {
      const isEnvoy = info.Names.includes(`/${envoyContainer}`);
      await docker.getContainer(info.Id).update({ CpusetCpus: isEnvoy ? envoyCpus : othersCpus });
    }
  } catch (error) {
    // e.g. rootless Docker without the cpuset controller delegated: measure anyway, and say so.
    return { pinned: false, note: `not pinned: Docker refused the cpuset (${(error as Error).message.split("\n")[0]})` };
  }
  const failure = sameMachine ? await pinThisProcess(othersCpus) : "the Docker engine runs on another machine or VM";
  return {
    pinned: true,
    envoyCpus,
    othersCpus,
    loadGenerator: failure ? `not pinned: ${failure}` : `pinned to CPU ${othersCpus}`,
    note: failure
      ? `Envoy on CPU ${envoyCpus}; httpbin and the other containers on CPU ${othersCpus}; the load generator not pinned (${failure})`
      : `Envoy on CPU ${envoyCpus}; httpbin, the other containers and the load generator on CPU ${othersCpus}`,
  };
}

/** Pins this process (every thread) with taskset; returns why not, or nothing. */
async function pinThisProcess(cpus: string): Promise<string | undefined> {
  try {
    await execa("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus, String(process.pid)], { timeout: 5_000 });
    return undefined;
  } catch (error) {
    return `taskset failed: ${(error as Error).message.split("\n")[0]}`;
  }
}
