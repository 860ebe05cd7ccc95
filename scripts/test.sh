#!/usr/bin/env bash
# Runs the whole tap suite on PGlite and, when TEST_DATABASE_URL is set, again on that PostgreSQL server.
# Ends with the plain line "N passed, N failed" (totals over both databases).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tap
passed=0; failed=0; status=0

run_suite () {
  local label=$1; shift
  local log=".tap/${label}.log"
  echo "== tests on ${label} =="
  env "$@" npx tap --reporter=tap --disable-coverage 2>&1 | tee "$log" | grep -E '^(not ok|ok) |^# \{' || true
  local rc=${PIPESTATUS[0]}
  local summary
  summary=$(grep -E '^# \{ total:' "$log" | tail -n 1)
  local p f
  p=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); p=${p:-0}
  f=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary"); f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$p" -eq 0 ]; then echo "no test passed on ${label}"; f=$((f + 1)); fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$rc" -ne 0 ] && status=1
  echo "${label}: ${p} passed, ${f} failed"
  # the lines above name only the failed files: say what failed in them (assertion, diff, where), bounded
  if [ "$f" -gt 0 ]; then
    echo "== what failed on ${label} =="
    node --import tsx scripts/tap-failures.ts "$log" || true
  fi
}

run_suite pglite TEST_DATABASE_URL=
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  run_suite postgres TEST_DATABASE_URL="$TEST_DATABASE_URL"
fi
[ "$failed" -gt 0 ] && status=1
echo "${passed} passed, ${failed} failed"
exit $status
