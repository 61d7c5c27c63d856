import { getContainerRuntimeClient, type ContainerRuntimeClient } from "testcontainers";
import { UserError } from "../errors.ts";

/**
 * Connects to the Docker engine Testcontainers finds (DOCKER_HOST, the default socket, rootless or Desktop
 * sockets). Ryuk, Testcontainers' reaper, needs its image pulled; where the image is not present locally it
 * is disabled and the harness's own teardown and label-based reaping take over.
 */
export async function connectDocker(): Promise<ContainerRuntimeClient> {
  const client = await getContainerRuntimeClient().catch((error: Error) => {
    throw new UserError(
      `no Docker engine reachable (${error.message.split("\n")[0]}); start Docker, set DOCKER_HOST, or run: bash scripts/setup-docker.sh`,
    );
  });
  return client;
}

/** Decides before the first container starts whether Testcontainers' Ryuk can run here. */
export async function configureReaper(client: ContainerRuntimeClient, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.TESTCONTAINERS_RYUK_DISABLED !== undefined) return;
  const images = await client.container.dockerode.listImages({ filters: { reference: ["testcontainers/ryuk"] } });
  if (images.length === 0) env.TESTCONTAINERS_RYUK_DISABLED = "true";
}
