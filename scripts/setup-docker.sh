#!/usr/bin/env bash
# Finds a Docker engine that answers; on Debian as root with none, installs docker.io and starts dockerd.
# Idempotent: does nothing when an engine already answers. Desktop/colima/podman users: it just uses theirs.
set -euo pipefail

say() { echo "[setup-docker] $*" >&2; }
answers() { timeout 10 docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && answers; then exit 0; fi

if [ -n "${DOCKER_HOST:-}" ]; then
  echo "wafcheck: no Docker engine answers at DOCKER_HOST=${DOCKER_HOST} (unset it to use the default socket)" >&2
  exit 4
fi

# Rootless and Desktop sockets that the docker CLI does not look at by default.
for sock in "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/docker.sock" "$HOME/.docker/run/docker.sock" "$HOME/.colima/default/docker.sock"; do
  if [ -S "$sock" ] && DOCKER_HOST="unix://$sock" timeout 10 docker info >/dev/null 2>&1; then
    say "using $sock (export DOCKER_HOST=unix://$sock to skip this search)"
    exit 0
  fi
done

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "wafcheck: no Docker engine answers; start Docker (Docker Desktop, colima, podman with its docker socket) or set DOCKER_HOST" >&2
  exit 4
fi

if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io from Debian…"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -1)" ]; then apt-get update -qq; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  }
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: /var/log/wafcheck-dockerd.log)…"
  nohup dockerd >/var/log/wafcheck-dockerd.log 2>&1 &
fi
for _ in $(seq 1 60); do
  if answers; then say "Docker engine is up"; exit 0; fi
  sleep 1
done
echo "wafcheck: dockerd did not answer within 60 s; see /var/log/wafcheck-dockerd.log" >&2
exit 4
