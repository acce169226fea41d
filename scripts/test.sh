#!/usr/bin/env bash
# The one test command (README: `npm test`): installs what the tests need, starts what is missing,
# then type-checks, lints, runs every node:test file, and the Deno smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm install` from the committed lock, not `npm ci`: the lock records only the platform packages
# this registry serves (deno's linux-x64 build), and `npm ci` refuses a lock without all of them.
npm install --no-audit --no-fund
bash scripts/ensure-services.sh

echo "== typecheck"; npx tsc -p tsconfig.json
echo "== lint"; npx eslint .
echo "== schemas"; npx tsx scripts/export-schemas.ts --check

mapfile -t files < <(find test -name '*.test.ts' | sort)
echo "== node --test (${#files[@]} files)"
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"

echo "== deno"; bash scripts/deno-smoke.sh
