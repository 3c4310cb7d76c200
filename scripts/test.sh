#!/usr/bin/env bash
# Runs the whole test suite with Node's built-in runner (through tsx, since Node 20 has no type
# stripping). Node 20's `node --test` finds no .ts files by itself, so the files are listed here.
# Usage: scripts/test.sh [path-filter]   e.g. scripts/test.sh test/sip
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-test}
# End-to-end and browser tests run the built command (bin/parley.js -> dist/, the web UI in dist/web),
# so build first.
case "$filter" in test|test/|test/e2e*|test/web*) npx tsc -p tsconfig.build.json && npx vite build --config web/vite.config.ts ;; esac
mapfile -t files < <(find "$filter" -name '*.test.ts' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "no test files under $filter" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" "${files[@]}"
