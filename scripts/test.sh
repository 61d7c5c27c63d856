#!/usr/bin/env bash
# `npm test`: type-check, then every unit test (harness/**) and integration test (tests/**) with Node's
# test runner. Integration tests start real stacks (Envoy + Coraza wasm + httpbin) in Docker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
echo "[test] type-checking…" >&2
npx tsc --noEmit
if [ -f scripts/k6/tsconfig.json ]; then npx tsc -p scripts/k6 --noEmit; fi
mapfile -t files < <(find harness tests -name '*.test.ts' -not -path '*/node_modules/*' | sort)
# Unit tests first (fast), then the integration tests one file at a time (each starts its own stacks).
tap=$(mktemp)
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "$@" "${files[@]}" || status=$?
pass=$(grep -E '^# pass ' "$tap" | tail -1 | awk '{print $3}')
fail=$(grep -E '^# fail ' "$tap" | tail -1 | awk '{print $3}')
skip=$(grep -E '^# skipped ' "$tap" | tail -1 | awk '{print $3}')
rm -f "$tap"
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit "$status"
