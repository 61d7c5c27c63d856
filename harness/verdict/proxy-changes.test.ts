import assert from "node:assert/strict";
import { test } from "node:test";
import { proxyChanges } from "./proxy-changes.ts";

const echo = (headers: Record<string, string[]>, url = "http://app.wafcheck.test/anything/x") => JSON.stringify({ url, headers });

test("a header that arrived unchanged is no change", () => {
  assert.deepEqual(proxyChanges({ path: "/get", headers: [["Referer", "http://a.test/"]], placement: "header:Referer" }, echo({ Referer: ["http://a.test/"] })), []);
});

test("a header Envoy dropped is reported", () => {
  assert.deepEqual(proxyChanges({ path: "/get", headers: [["Referer", "not a url"]], placement: "header:Referer" }, echo({})), ["header Referer did not reach the app"]);
});

test("a changed header value is reported with both values", () => {
  const [change] = proxyChanges({ path: "/get", headers: [["X-Forwarded-For", "1.2.3.4"]], placement: "header:X-Forwarded-For" }, echo({ "X-Forwarded-For": ["1.2.3.4,172.18.0.1"] }));
  assert.match(change!, /header X-Forwarded-For changed: sent 1\.2\.3\.4, app got 1\.2\.3\.4,172\.18\.0\.1/);
});

test("path normalisation is reported; percent-encoding alone is not", () => {
  assert.deepEqual(proxyChanges({ path: "/anything/a/../b", headers: [], placement: "path" }, echo({}, "http://h/anything/b")), ["path changed: sent /anything/a/../b, app got /anything/b"]);
  assert.deepEqual(proxyChanges({ path: "/anything/%3Cx%3E", headers: [], placement: "path" }, echo({}, "http://h/anything/<x>")), []);
});

test("body placements and non-echo responses are not compared", () => {
  assert.deepEqual(proxyChanges({ path: "/post", headers: [], placement: "form" }, echo({})), []);
  assert.deepEqual(proxyChanges({ path: "/x", headers: [], placement: "path" }, "<html>"), []);
});

test("raw requests: merged duplicate headers and unfolded lines are changes", () => {
  const sent = { path: "/get", placement: "raw", headers: [["Host", "a.test"], ["Host", "b.test"], ["X-Folded", "first"], ["Accept", "*/*"]] as Array<[string, string]> };
  const changes = proxyChanges(sent, echo({ Host: ["a.test,b.test"], "X-Folded": ["first second"], Accept: ["*/*"] }));
  assert.deepEqual(changes, ["2 host headers were merged into one: a.test,b.test", "header x-folded changed: sent first, app got first second"]);
});

test("raw requests: hop-by-hop fields end at the proxy (no change); a dropped trailer field is one", () => {
  const echo = JSON.stringify({ url: "http://a.test/get?q=1", headers: { Host: ["a.test"], "User-Agent": ["m"] } });
  const h2c = { path: "/get?q=1", placement: "raw", headers: [["Host", "a.test"], ["User-Agent", "m"], ["Connection", "Upgrade, HTTP2-Settings"], ["Upgrade", "h2c"], ["HTTP2-Settings", "AAMA"]] as Array<[string, string]> };
  assert.deepEqual(proxyChanges(h2c, echo), []);
  const trailer = { path: "/post", placement: "raw", headers: [["Host", "a.test"], ["User-Agent", "m"], ["Transfer-Encoding", "chunked"], ["Trailer", "X-Inject"]] as Array<[string, string]>, body: "6\r\nq=shoe\r\n0\r\nX-Inject: <script>\r\n\r\n" };
  const echoPost = JSON.stringify({ headers: { Host: ["a.test"], "User-Agent": ["m"], "Transfer-Encoding": ["chunked"] } });
  assert.deepEqual(proxyChanges(trailer, echoPost), ["trailer field x-inject did not reach the app"]);
});
