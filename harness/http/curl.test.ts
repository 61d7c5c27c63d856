import assert from "node:assert/strict";
import { test } from "node:test";
import { byteQuote, curlReproducer, rawReproducer, shellQuote, streamedReproducer } from "./curl.ts";
import { REDACTED, redactText } from "./redact.ts";
import { replayFilePath } from "./replay-files.ts";

test("shell quoting survives quotes and spaces", () => {
  assert.equal(shellQuote("plain"), "plain");
  assert.equal(shellQuote("it's a b"), `'it'\\''s a b'`);
});

test("byte strings outside printable ASCII are quoted as bash escapes, so the command is ASCII", () => {
  assert.equal(byteQuote("it's"), `'it'\\''s'`);
  assert.equal(byteQuote("a\r\n\t\\'\xe9\x01"), "$'a\\r\\n\\t\\\\\\'\\xe9\\x01'");
});

test("curl reproducer carries method, headers, body and path as undici sends them, curl's own headers removed", () => {
  const curl = curlReproducer("http://127.0.0.1:1", { method: "POST", path: "/post?q=1%27", headers: [["x-a", "b c"]], body: "a=1" });
  assert.equal(
    curl,
    "curl -sS -i --path-as-is -g -X POST -H 'User-Agent:' -H 'Accept:' -H 'Content-Type:' -H 'connection: keep-alive' -H 'x-a: b c' -H 'content-length: 3' --data-binary a=1 'http://127.0.0.1:1/post?q=1%27'",
  );
});

test("curl reproducer: the URL from GATEWAY_URL with the run's as default, never globbed; Host first, as given", () => {
  const curl = curlReproducer({ baseUrl: "http://127.0.0.1:32768", variable: "GATEWAY_URL" }, { method: "GET", path: "/get?password[$ne]=1&a={b}", headers: [["Host", "app.test"], ["Accept", "*/*"]] });
  assert.equal(curl, `curl -sS -i --path-as-is -g -H 'Host:' -H 'User-Agent:' -H 'host: app.test' -H 'connection: keep-alive' -H 'Accept: */*' "\${GATEWAY_URL:-http://127.0.0.1:32768}"'/get?password[$ne]=1&a={b}'`);
});

test("curl reproducer sends the path as written, as the harness does (no dot-segment resolving, no %27)", () => {
  const curl = curlReproducer("http://127.0.0.1:1", { method: "GET", path: "/a/../etc/passwd?q=O'Brien", headers: [] });
  assert.ok(curl.endsWith(` 'http://127.0.0.1:1/a/../etc/passwd?q=O'\\''Brien'`), curl);
  // A path a client cannot send as written (a space) goes as the URL parser encodes it, by the harness and the replay alike.
  assert.ok(curlReproducer("http://127.0.0.1:1", { method: "GET", path: "/get?q=a b", headers: [] }).endsWith(" 'http://127.0.0.1:1/get?q=a%20b'"));
});

test("a body over the inline limit, or with a NUL byte, is read from its replay file", () => {
  const big = "x".repeat(5000);
  const curl = curlReproducer({ baseUrl: "http://127.0.0.1:1", id: "evasion-body-limit/form/none" }, { method: "POST", path: "/post", headers: [["Content-Type", "text/plain"]], body: big });
  const file = replayFilePath("evasion-body-limit/form/none", "body", Buffer.from(big));
  assert.match(file, /^replays\/evasion-body-limit_form_none\.[0-9a-f]{12}\.body$/);
  assert.ok(curl.includes(` -H 'Expect:' `), "curl's Expect: 100-continue for large bodies removed");
  assert.ok(curl.includes(` -H 'content-length: 5000' --data-binary @${file} `), curl);
  const nul = curlReproducer("http://127.0.0.1:1", { id: "n", method: "POST", path: "/post", headers: [], body: new Uint8Array([0x61, 0]) });
  assert.ok(nul.includes(`--data-binary @${replayFilePath("n", "body", Buffer.from([0x61, 0]))} `), nul);
});

test("what curl cannot send as undici did (a header with an empty value) goes as the same bytes through nc", () => {
  const replay = curlReproducer("http://127.0.0.1:8080", { method: "GET", path: "/get", headers: [["X-Empty", ""]] });
  assert.equal(replay, "printf '%s' $'GET /get HTTP/1.1\\r\\nhost: 127.0.0.1:8080\\r\\nconnection: keep-alive\\r\\nX-Empty: \\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080");
});

test("secret values never survive redaction", () => {
  assert.equal(redactText("error: token s3cr3t rejected", ["s3cr3t"]), `error: token ${REDACTED} rejected`);
});

test("raw reproducer keeps CRLFs and quotes", () => {
  assert.equal(rawReproducer("http://127.0.0.1:8080", "GET / HTTP/1.1\r\nX-A: it's\r\n\r\n"), "printf '%s' $'GET / HTTP/1.1\\r\\nX-A: it\\'s\\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080");
});

test("raw reproducer takes host and port from the variable when it runs, the run's URL by default", () => {
  const replay = rawReproducer({ baseUrl: "http://127.0.0.1:32768", variable: "GATEWAY_URL" }, "GET / HTTP/1.1\r\n\r\n");
  assert.ok(replay.startsWith(`printf '%s' $'GET / HTTP/1.1\\r\\n\\r\\n' | { u="\${GATEWAY_URL:-http://127.0.0.1:32768}"; `), replay);
  const tls = rawReproducer({ baseUrl: "https://gw.example.test", variable: "GATEWAY_URL" }, "GET / HTTP/1.1\r\n\r\n");
  assert.ok(tls.endsWith(`p=443 h=$a;; esac; openssl s_client -quiet -connect "$h:$p"; }`), tls);
  const big = rawReproducer({ baseUrl: "http://127.0.0.1:1", variable: "GATEWAY_URL", id: "r" }, `POST / HTTP/1.1\r\n\r\n${"y".repeat(5000)}`);
  assert.match(big, /; nc -w 5 "\$\{h%"]"\}" "\$p"; \} < replays\/r\.[0-9a-f]{12}\.raw$/);
});

test("the host and port a raw replay derives from GATEWAY_URL, in bash and in POSIX sh", async () => {
  const { execFileSync } = await import("node:child_process");
  const sink = rawReproducer({ baseUrl: "http://127.0.0.1:1", variable: "GATEWAY_URL" }, "x").split(" | ")[1]!.replace('nc -w 5 "${h%"]"}" "$p"', 'echo "${h%"]"}" "$p"');
  for (const shell of ["bash", "sh"]) {
    const run = (url?: string) => execFileSync(shell, ["-c", `true | ${sink}`], { env: url === undefined ? {} : { GATEWAY_URL: url }, encoding: "utf8" }).trim();
    assert.equal(run(), "127.0.0.1 1");
    assert.equal(run("http://127.0.0.1:32770"), "127.0.0.1 32770");
    assert.equal(run("http://gw.example.test/base"), "gw.example.test 80");
    assert.equal(run("http://[::1]:8080"), "::1 8080");
    assert.equal(run("http://[::1]"), "::1 80");
  }
});

test("curl reproducer options (HTTP/2, TLS trust) come first and quoted", () => {
  const curl = curlReproducer("https://gw.example.test", { method: "GET", path: "/get", headers: [] }, ["--http2", "--cacert", "/etc/ca dir/ca.pem"]);
  assert.equal(curl, "curl -sS -i --path-as-is -g --http2 --cacert '/etc/ca dir/ca.pem' -H 'User-Agent:' -H 'Accept:' https://gw.example.test/get");
});

test("a streamed HTTP/1.1 replay sends Node's framing: Trailer, Connection, Transfer-Encoding after the headers", () => {
  const h1 = streamedReproducer("http://127.0.0.1:8080", { method: "POST", path: "/post", headers: [["Content-Type", "application/json"]], body: "{}", streamed: { trailers: [["X-Sum", "1"]] } }, false);
  assert.equal(h1, "printf '%s' $'POST /post HTTP/1.1\\r\\nContent-Type: application/json\\r\\nTrailer: x-sum\\r\\nConnection: keep-alive\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\n{}\\r\\n0\\r\\nx-sum: 1\\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080");
});
