import { stat } from "node:fs/promises";
import { connect } from "node:net";
import { getContainerRuntimeClient, type ContainerRuntimeClient } from "testcontainers";
import { EXIT_STACK_FAILED, UserError } from "../errors.ts";

/**
 * Connects to the Docker engine Testcontainers finds (DOCKER_HOST, the default socket, rootless or Desktop
 * sockets). Ryuk, Testcontainers' reaper, needs its image pulled; where the image is not present locally it
 * is disabled and the harness's own teardown and label-based reaping take over.
 */
export async function connectDocker(env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntimeClient> {
  // Testcontainers silently falls back to other sockets when DOCKER_HOST does not answer; a user who set it
  // means that engine, so say so instead of using another one.
  if (env.DOCKER_HOST && !(await answers(env.DOCKER_HOST)))
    throw new UserError(`no Docker engine reachable at DOCKER_HOST=${env.DOCKER_HOST} (unset it to use the default socket)`, EXIT_STACK_FAILED);
  const host = loopbackHostOverride(env);
  if (host) env.TESTCONTAINERS_HOST_OVERRIDE = host;
  const client = await getContainerRuntimeClient().catch((error: Error) => {
    throw new UserError(
      `no Docker engine reachable (${error.message.split("\n")[0]}); start Docker, set DOCKER_HOST, or run: bash scripts/setup-docker.sh`,
      EXIT_STACK_FAILED,
    );
  });
  return client;
}

/**
 * The stack publishes its ports on 127.0.0.1 only (LoopbackContainer), so Testcontainers' wait strategies
 * must probe 127.0.0.1 too. Left alone, Testcontainers sees /.dockerenv (CI runners and dev containers
 * have it) and probes the bridge gateway (172.17.0.1), where nothing listens: every start times out.
 * Applies to a local engine (unix socket); a user's own TESTCONTAINERS_HOST_OVERRIDE wins.
 */
export function loopbackHostOverride(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TESTCONTAINERS_HOST_OVERRIDE !== undefined) return undefined;
  if (env.DOCKER_HOST && !env.DOCKER_HOST.startsWith("unix:")) return undefined;
  return "127.0.0.1";
}

/** Decides before the first container starts whether Testcontainers' Ryuk can run here. */
export async function configureReaper(client: ContainerRuntimeClient, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.TESTCONTAINERS_RYUK_DISABLED !== undefined) return;
  const images = await client.container.dockerode.listImages({ filters: { reference: ["testcontainers/ryuk"] } });
  if (images.length === 0) env.TESTCONTAINERS_RYUK_DISABLED = "true";
}

async function answers(dockerHost: string): Promise<boolean> {
  const url = new URL(dockerHost);
  if (url.protocol === "unix:") return stat(url.pathname).then((s) => s.isSocket(), () => false);
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:") return true; // ssh:// etc.: let Testcontainers try
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 2375), timeout: 3_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}
