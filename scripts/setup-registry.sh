#!/usr/bin/env bash
# Installs Debian's docker-registry (distribution 2.8), the real OCI registry the ASM tests push to and the
# stand-in gateway pulls from. Idempotent. The package would start a system service listening on :5000 on
# every interface; the tests run their own instance on 127.0.0.1 with auth, so the install is made with
# service starts disabled (policy-rc.d) when nothing already disables them.
set -euo pipefail

say() { echo "[setup-registry] $*" >&2; }

if command -v docker-registry >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  say "docker-registry not found and this is not Debian as root: the ASM registry tests will be skipped (apt-get install docker-registry)"
  exit 0
fi

say "installing Debian's docker-registry…"
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
trap 'if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi' EXIT
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -1)" ]; then apt-get update -qq; fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null
}
command -v docker-registry >/dev/null
