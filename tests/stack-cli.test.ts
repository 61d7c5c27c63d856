// `npm run stack`: the URLs it prints serve the real WAF; SIGINT removes every container and network.
import assert from "node:assert/strict";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { execa } from "execa";
import { request } from "undici";
import { ROOT } from "./support/cli.ts";

async function docker(...args: string[]): Promise<string> {
  return String((await execa("docker", args)).stdout).trim();
}

test("npm run stack serves 200/403/403/200, exposes waf_filter stats, and cleans up on SIGINT", { timeout: 300_000 }, async () => {
  const child = execa(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/stack.ts")], { cwd: ROOT, reject: false, env: { CI: "true" } });
  const urls: Record<string, string> = {};
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const [key, value] = line.split("=", 2);
    if (key && value) urls[key] = value;
    if (urls.ENVOY_ADMIN_URL) break;
  }
  try {
    assert.ok(urls.GATEWAY_URL && urls.UPSTREAM_URL && urls.ENVOY_ADMIN_URL, JSON.stringify(urls));
    for (const url of Object.values(urls)) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
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
    assert.match(stats, /waf_filter\.tx\.interruptions_ruleid=101_phase=http_request_headers: 2/);
    const port = new URL(urls.GATEWAY_URL!).port;
    assert.notEqual(await docker("ps", "-q", "--filter", `publish=${port}`), "");
  } finally {
    child.kill("SIGINT");
    await child;
  }
  const mine = await docker("ps", "-aq", "--filter", `label=org.wafcheck.owner-pid=${child.pid}`);
  assert.equal(mine, "", "containers left after SIGINT");
  assert.equal(await docker("network", "ls", "-q", "--filter", `label=org.wafcheck.owner-pid=${child.pid}`), "");
});
