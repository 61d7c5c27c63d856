#!/usr/bin/env bash
# Runs before every npm script: makes a fresh clone ready (Node version, dependencies, Docker engine).
# Idempotent and quick when everything is already there. `bootstrap.sh test` also ensures Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[bootstrap] $*" >&2; }

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`wafcheck: Node ${process.versions.node} is too old; need >= 20.19`); process.exit(1) }'

# Dependencies: reinstall only when package-lock.json changed.
stamp=node_modules/.wafcheck-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
fi

if [ "${WAF_TARGET:-local}" = "local" ] || [ "${1:-}" = test ]; then
  bash scripts/setup-docker.sh
fi

# Allure's HTML report needs Java 17+. On Debian as root, install a headless JRE; elsewhere say what is lost.
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    say "installing Debian's openjdk-17-jre-headless (Allure's HTML report)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    } || say "could not install Java: the Allure HTML report will be skipped (summary.json and junit.xml are still written)"
  else
    say "no java found: the Allure HTML report will be skipped (install Java 17+); summary.json and junit.xml are still written"
  fi
fi

# The ASM tests push to a real local OCI registry (Debian's docker-registry).
if [ "${1:-}" = test ]; then
  bash scripts/setup-registry.sh
fi

# The local Istio test (tests/istio.test.ts) runs kube-apiserver, etcd, kubectl, istiod and pilot-agent built from
# their Go modules into ~/.cache/wafcheck (cold: ~25 min on 2 cores at the lowest priority; then instant).
if [ "${1:-}" = test ]; then
  node_modules/.bin/tsx scripts/istio.ts --build >&2
fi

# The replay tests run the reproducers (curl, printf | nc) as a reviewer would.
for tool in nc:netcat-openbsd curl:curl; do
  if [ "${1:-}" = test ] && ! command -v "${tool%%:*}" >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    say "installing Debian's ${tool#*:} (request reproducers)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null 2>&1 || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null
    }
  fi
done

if [ "${1:-}" = test ] && [ -z "${WAF_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    say "installing Debian's chromium (for the report-in-a-browser test)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    }
  else
    say "no chromium found: the report-in-a-browser test will be skipped (set WAF_CHROMIUM=/path/to/chrome)"
  fi
fi
