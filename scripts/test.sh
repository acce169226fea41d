#!/usr/bin/env bash
# The one test command (README: `npm test`): installs what the tests need, starts what is missing,
# then type-checks, lints, runs every node:test file, and the Deno smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm install` from the committed lock, not `npm ci`: the lock records only the platform packages
# this registry serves (deno's linux-x64 build), and `npm ci` refuses a lock without all of them.
npm install --no-audit --no-fund
# The project's Node (the `node` dev dependency, Node 24) before the system's, as npm scripts have
# it: the tests, tsc, eslint and every child process they start run on it.
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== node $(node -v)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' || { echo "Node 24 expected from node_modules/.bin (npm install)"; exit 1; }
bash scripts/ensure-services.sh

echo "== typecheck"; npx tsc -p tsconfig.json && npx tsc -p docs/laravel/react/tsconfig.json
echo "== lint"; npx eslint . && npm run -s format:check
echo "== schemas"; node scripts/export-schemas.ts --check

log=$(mktemp)
trap 'rm -f "$log"' EXIT
mapfile -t files < <(find test -name '*.test.ts' | sort)
echo "== node --test (${#files[@]} files)"
node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"

echo "== deno"; bash scripts/deno-smoke.sh 2>&1 | tee -a "$log"

# The reliability suite's quick size (issue 16): alone, after every other test, because it SIGKILLs
# nodes and restarts RabbitMQ, Redis and PostgreSQL. Fixed seed; a red run prints how to replay it.
echo "== chaos (quick)"; chaos_fail=0
node scripts/chaos.ts --quick 2>&1 | grep -v '^{' | tee -a "$log" || chaos_fail=1

# One closing line for both runners (node's spec summary, then deno's "N passed | N failed").
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
num() { grep -oE "$1" <<<"$plain" | tail -1 | grep -oE '[0-9]+' | head -1 || true; }
node_pass=$(num '^ℹ pass [0-9]+'); node_fail=$(num '^ℹ fail [0-9]+'); node_skip=$(num '^ℹ skipped [0-9]+')
deno_pass=$(num '[0-9]+ passed \| [0-9]+ failed'); deno_fail=$(grep -oE '[0-9]+ passed \| [0-9]+ failed' <<<"$plain" | tail -1 | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
echo "tests: $(( ${node_pass:-0} + ${deno_pass:-0} + 1 - chaos_fail )) passed, $(( ${node_fail:-0} + ${deno_fail:-0} + chaos_fail )) failed, ${node_skip:-0} skipped"
[ "$chaos_fail" = 0 ] || exit 1
