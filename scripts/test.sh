#!/usr/bin/env bash
# Runs the whole test suite with Node's built-in runner (through tsx, since Node 20 has no type
# stripping). Node 20's `node --test` finds no .ts files by itself, so the files are listed here.
# Usage: scripts/test.sh [path-filter]   e.g. scripts/test.sh test/sip
# Files named *.solo.test.ts (the floods of issue 22, which keep both cores busy for a minute or
# more) run after the others, one at a time, so they never starve a test running beside them.
set -uo pipefail
cd "$(dirname "$0")/.."
filter=${1:-test}
# End-to-end and browser tests run the built command (bin/parley.js -> dist/, the web UI in dist/web),
# so build first.
case "$filter" in test|test/|test/e2e*|test/web*) npx tsc -p tsconfig.build.json && npx vite build --config web/vite.config.ts || exit 1 ;; esac
mapfile -t files < <(find "$filter" -name '*.test.ts' ! -name '*.solo.test.ts' | sort)
mapfile -t solo < <(find "$filter" -name '*.solo.test.ts' | sort)
if [ $((${#files[@]} + ${#solo[@]})) -eq 0 ]; then echo "no test files under $filter" >&2; exit 1; fi
status=0
if [ ${#files[@]} -gt 0 ]; then
  node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" "${files[@]}" || status=1
fi
if [ ${#solo[@]} -gt 0 ]; then
  node --import tsx --test --test-concurrency=1 "${solo[@]}" || status=1
fi
exit $status
