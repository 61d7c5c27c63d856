import assert from "node:assert/strict";
import { test } from "node:test";
import { zipSync } from "fflate";
import { sha256Hex } from "../manifest/canonical-json.ts";
import { extractVerified, loadReleasePins } from "./wasm-release.ts";

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
