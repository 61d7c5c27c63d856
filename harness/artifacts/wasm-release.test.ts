import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { zipSync } from "fflate";
import { sha256Hex } from "../manifest/index.ts";
import { downloadRelease, extractVerified, loadReleasePins } from "./wasm-release.ts";

const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
const archive = zipSync({ "coraza-proxy-wasm.wasm": wasm });
const pin = { url: "https://example.test/x.zip", wasmInArchive: "coraza-proxy-wasm.wasm", sha256: sha256Hex(archive) };

test("a release archive matching its pin yields the wasm", () => {
  assert.deepEqual(extractVerified(archive, "9.9.9", pin), wasm);
});

test("a tampered archive is refused", () => {
  const tampered = archive.slice();
  tampered[tampered.length - 1]! ^= 1;
  assert.throws(() => extractVerified(tampered, "9.9.9", pin), /SHA-256 mismatch/);
});

test("an unpinned release is refused with the archive's hash shown", () => {
  assert.throws(() => extractVerified(archive, "9.9.9", { ...pin, sha256: null }), new RegExp(`no SHA-256 pinned.*${sha256Hex(archive)}`));
});

test("the repository's pin file parses", async () => {
  const pins = await loadReleasePins();
  assert.ok(Object.keys(pins).length > 0);
});

test("download once, re-verify the cached archive on every use, fetch again when the cache was altered", async () => {
  const dir = await mkdtemp(join(tmpdir(), "wafcheck-release-"));
  let served = 0;
  const server = createServer((_req, res) => (served++, res.end(archive)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const saved = process.env.WAFCHECK_CACHE;
  process.env.WAFCHECK_CACHE = join(dir, "cache");
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/release.zip`;
    const pins = join(dir, "pins.json");
    await writeFile(pins, JSON.stringify({ releases: { "9.9.9": { ...pin, url } } }));
    const path = await downloadRelease("9.9.9", () => undefined, pins);
    assert.deepEqual(new Uint8Array(await readFile(path)), wasm);
    await downloadRelease("9.9.9", () => undefined, pins);
    assert.equal(served, 1, "the second use comes from the cache");
    const cachedArchive = join(dirname(path), "release.zip");
    await writeFile(cachedArchive, "not the release");
    await writeFile(path, "tampered wasm");
    const lines: string[] = [];
    assert.deepEqual(new Uint8Array(await readFile(await downloadRelease("9.9.9", (l) => lines.push(l), pins))), wasm);
    assert.equal(served, 2);
    assert.match(lines.join("\n"), /does not match its pin; downloading it again/);
  } finally {
    if (saved === undefined) delete process.env.WAFCHECK_CACHE;
    else process.env.WAFCHECK_CACHE = saved;
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
