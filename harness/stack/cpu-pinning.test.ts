import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ContainerRuntimeClient } from "testcontainers";
import { applyCpuPinning, cpuList, cpuSplit } from "./cpu-pinning.ts";

/** Docker's API as far as pinning uses it: the run's containers, and what each was updated with. */
function fakeDocker(names: string[], refuse = false) {
  const updates: Record<string, string> = {};
  const dockerode = {
    listContainers: async () => names.map((name) => ({ Id: name, Names: [`/${name}`] })),
    getContainer: (id: string) => ({
      update: async (options: { CpusetCpus: string }) => {
        if (refuse) throw new Error("(HTTP code 500) cgroup: cpuset not delegated\nmore detail");
        updates[id] = options.CpusetCpus;
      },
    }),
  };
  return { client: { container: { dockerode } } as unknown as ContainerRuntimeClient, updates };
}

describe("CPU pinning plan", () => {
  it("gives Envoy the upper half (at least one CPU) and the rest the lower half", () => {
    assert.deepEqual(cpuSplit([0, 1]), { others: [0], envoy: [1] });
    assert.deepEqual(cpuSplit([0, 1, 2]), { others: [0], envoy: [1, 2] });
    assert.deepEqual(cpuSplit([3, 2, 1, 0]), { others: [0, 1], envoy: [2, 3] });
    assert.equal(cpuSplit([0]), null, "one CPU: nothing to split");
    assert.equal(cpuSplit([]), null);
  });

  it("writes Docker's and taskset's CPU list syntax", () => {
    assert.equal(cpuList([0, 1, 2, 5]), "0-2,5");
    assert.equal(cpuList([1]), "1");
    assert.equal(cpuList([4, 3, 7, 6]), "3-4,6-7");
  });

  it("pins Envoy's container apart from the run's others, and says when the load generator stays unpinned", async () => {
    const docker = fakeDocker(["wafcheck-envoy-r1", "wafcheck-httpbin-r1", "wafcheck-albedo-r1"]);
    const pinning = await applyCpuPinning(docker.client, "r1", "wafcheck-envoy-r1", [0, 1, 2, 3], false);
    assert.deepEqual(docker.updates, { "wafcheck-envoy-r1": "2-3", "wafcheck-httpbin-r1": "0-1", "wafcheck-albedo-r1": "0-1" });
    assert.equal(pinning.pinned, true);
    assert.match(pinning.note, /^Envoy on CPU 2-3; httpbin and the other containers on CPU 0-1; the load generator not pinned \(the Docker engine runs on another machine or VM\)$/);
  });

  it("measures unpinned, and says why, when Docker refuses the cpuset or there is one CPU", async () => {
    const refused = await applyCpuPinning(fakeDocker(["wafcheck-envoy-r1"], true).client, "r1", "wafcheck-envoy-r1", [0, 1], false);
    assert.deepEqual(refused, { pinned: false, note: "not pinned: Docker refused the cpuset ((HTTP code 500) cgroup: cpuset not delegated)" });
    const single = fakeDocker(["wafcheck-envoy-r1"]);
    assert.equal((await applyCpuPinning(single.client, "r1", "wafcheck-envoy-r1", [0], false)).pinned, false);
    assert.deepEqual(single.updates, {});
  });
});
