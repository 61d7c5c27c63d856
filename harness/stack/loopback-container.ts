import { GenericContainer } from "testcontainers";

/**
 * A GenericContainer whose published ports listen on 127.0.0.1 only: the stack is reachable from this
 * machine and nowhere else (Testcontainers publishes on every interface by default).
 */
export class LoopbackContainer extends GenericContainer {
  withLoopbackPorts(...ports: number[]): this {
    this.withExposedPorts(...ports);
    for (const port of ports) this.hostConfig.PortBindings = { ...this.hostConfig.PortBindings, [`${port}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "0" }] };
    return this;
  }
}
