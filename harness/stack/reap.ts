import type { ContainerRuntimeClient } from "testcontainers";
import { LABEL_MANAGED, LABEL_OWNER_PID, LABEL_RUN } from "../config/index.ts";

export interface ReapOptions {
  /** Remove only what this run made. */
  run?: string;
  /** Remove everything the harness made, even if its owner is alive. */
  all?: boolean;
}

/**
 * Removes containers and networks labelled by the harness whose owning process is gone (a killed run),
 * or those of one run. Returns how many of each were removed.
 */
export async function reap(client: ContainerRuntimeClient, options: ReapOptions = {}): Promise<{ containers: number; networks: number }> {
  const docker = client.container.dockerode;
  const filter = options.run ? `${LABEL_RUN}=${options.run}` : `${LABEL_MANAGED}=true`;
  const isOrphan = (labels: Record<string, string> | undefined) =>
    options.all || options.run !== undefined || !processAlive(Number(labels?.[LABEL_OWNER_PID]));
  let containers = 0;
  for (const info of await docker.listContainers({ all: true, filters: { label: [filter] } })) {
    if (!isOrphan(info.Labels)) continue;
    await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
    containers++;
  }
  let networks = 0;
  for (const info of await docker.listNetworks({ filters: { label: [filter] } })) {
    if (!isOrphan(info.Labels)) continue;
    await docker.getNetwork(info.Id).remove().catch(() => undefined);
    networks++;
  }
  return { containers, networks };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
