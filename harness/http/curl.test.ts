import assert from "node:assert/strict";
import { test } from "node:test";
import { curlReproducer, rawReproducer, shellQuote } from "./curl.ts";
import { REDACTED, redactText } from "./redact.ts";

test("shell quoting survives quotes and spaces", () => {
  assert.equal(shellQuote("plain"), "plain");
  assert.equal(shellQuote("it's a b"), `'it'\\''s a b'`);
});

test("curl reproducer carries method, headers, body and path as-is", () => {
  const curl = curlReproducer("http://127.0.0.1:1", { method: "POST", path: "/post?q=1%27", headers: [["x-a", "b c"]], body: "a=1" });
  assert.equal(curl, "curl -sS -i --path-as-is -X POST -H 'x-a: b c' --data-binary a=1 'http://127.0.0.1:1/post?q=1%27'");
});

test("secret values never survive redaction", () => {
  assert.equal(redactText("error: token s3cr3t rejected", ["s3cr3t"]), `error: token ${REDACTED} rejected`);
});

test("raw reproducer keeps CRLFs and quotes", () => {
  assert.equal(rawReproducer("http://127.0.0.1:8080", "GET / HTTP/1.1\r\nX-A: it's\r\n\r\n"), "printf '%s' $'GET / HTTP/1.1\\r\\nX-A: it\\'s\\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080");
});

test("curl reproducer options (HTTP/2, TLS trust) come first and quoted", () => {
  const curl = curlReproducer("https://gw.example.test", { method: "GET", path: "/get", headers: [] }, ["--http2", "--cacert", "/etc/ca dir/ca.pem"]);
  assert.equal(curl, "curl -sS -i --path-as-is --http2 --cacert '/etc/ca dir/ca.pem' https://gw.example.test/get");
});
