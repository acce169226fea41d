#!/usr/bin/env bash
# Deno: the sources type-check, and the machine tests plus one embedded image task run under Deno.
set -euo pipefail
cd "$(dirname "$0")/.."
DENO="npx --no-install deno"
$DENO check --quiet src/
$DENO test --allow-all --quiet test/machines/ test/deno/
