// `npm run stack`: the URLs it prints serve the real WAF; SIGINT removes every container and network.
import assert from "node:assert/strict";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { execa } from "execa";
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { LABEL_MANAGED, LABEL_RUN } from "../harness/config/index.ts";
import { ROOT } from "./support/cli.ts";

async function docker(...args: string[]): Promise<string> {
  return String((await execa("docker", args)).stdout).trim();
}

test("npm run stack serves 200/403/403/200, exposes waf_filter stats, and cleans up on SIGINT", { timeout: 300_000 }, async () => {
  let run = "";
  const child = execa(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/stack.ts")], { cwd: ROOT, reject: false, env: { CI: "true" } });
  const urls: Record<string, string> = {};
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const [key, value] = line.split("=", 2);
    if (key && value) urls[key] = value;
    if (urls.GATEWAY_CA_FILE) break;
  }
  try {
    assert.ok(urls.GATEWAY_URL && urls.UPSTREAM_URL && urls.ENVOY_ADMIN_URL, JSON.stringify(urls));
    for (const key of ["GATEWAY_URL", "BASELINE_URL", "UPSTREAM_URL", "ENVOY_ADMIN_URL"]) assert.match(urls[key]!, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const key of ["GATEWAY_TLS_URL", "BASELINE_TLS_URL"]) assert.match(urls[key]!, /^https:\/\/127\.0\.0\.1:\d+$/);
    // The WAF behind TLS speaks HTTP/2 to a client that trusts the run's CA, and blocks there too.
    const h2 = new Agent({ allowH2: true, connect: { ca: readFileSync(urls.GATEWAY_CA_FILE!), servername: "app.wafcheck.test" } });
    const banned = await request(`${urls.GATEWAY_TLS_URL}/get`, { headers: { host: "app.wafcheck.test", "x-user-type": "baned" }, dispatcher: h2 });
    await banned.body.dump();
    assert.equal(banned.statusCode, 403);
    assert.equal(banned.headers["x-wafcheck-protocol"], "HTTP/2");
    await h2.close();
    const get = async (headers: Record<string, string> = {}) => {
      const r = await request(`${urls.GATEWAY_URL}/get`, { headers: { host: "app.wafcheck.test", ...headers } });
      await r.body.dump();
      return r;
    };
    const plain = await get();
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers.server, "envoy");
    assert.equal((await get({ "x-user-type": "baned" })).statusCode, 403);
    assert.equal((await get({ "x-user-type": "BANED" })).statusCode, 403);
    assert.equal((await get({ "x-user-type": "banned" })).statusCode, 200);
    const stats = await (await request(`${urls.ENVOY_ADMIN_URL}/stats`)).body.text();
    assert.match(stats, /wasmcustom\.waf_filter\.tx\.total: \d+/);
    assert.match(stats, /waf_filter\.tx\.interruptions_ruleid=101_phase=http_request_headers: 3/);
    const port = new URL(urls.GATEWAY_URL!).port;
    run = await docker("ps", "--filter", `publish=${port}`, "--format", `{{.Label "${LABEL_RUN}"}}`);
    assert.match(run, /^[0-9a-f]{8}$/, "the gateway container carries its run label");
  } finally {
    child.kill("SIGINT");
    await child;
  }
  await assertRunRemoved(run);
});

test("Ctrl-C while the stack is still starting removes what it had started", { timeout: 300_000 }, async () => {
  const before = new Set((await docker("ps", "-aq", "--filter", `label=${LABEL_MANAGED}=true`)).split("\n").filter(Boolean));
  const child = execa(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/stack.ts")], { cwd: ROOT, reject: false, env: { CI: "true" } });
  // httpbin comes up first; Envoy then needs 10-20 s to compile the plug-in: interrupt in between.
  let run = "";
  const deadline = Date.now() + 120_000;
  while (!run && Date.now() < deadline && child.exitCode === null) {
    const ids = (await docker("ps", "-q", "--filter", `label=${LABEL_MANAGED}=true`)).split("\n").filter((id) => id && !before.has(id));
    if (ids.length > 0) run = await docker("inspect", "--format", `{{index .Config.Labels "${LABEL_RUN}"}}`, ids[0]!);
    else await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(run, "a container of the new stack appeared");
  child.kill("SIGINT");
  const result = await child;
  assert.equal(result.stdout.includes("GATEWAY_URL="), false, "interrupted before the stack was up");
  assert.equal(result.exitCode, 130, result.stderr.slice(-500));
  await assertRunRemoved(run);
});

async function assertRunRemoved(run: string): Promise<void> {
  assert.equal(await docker("ps", "-aq", "--filter", `label=${LABEL_RUN}=${run}`), "", "containers left after SIGINT");
  assert.equal(await docker("network", "ls", "-q", "--filter", `label=${LABEL_RUN}=${run}`), "", "network left after SIGINT");
}
