#!/usr/bin/env bash
# `make bench [QUICK=1]` (after `npm run build`): the whole benchmark, see bench/main.ts and docs/performance.md.
# Extra options are passed through (e.g. bash bench/run.sh --only get-by-id --reps 1).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v psql >/dev/null || { echo "bench: psql is needed (PostgreSQL client)" >&2; exit 1; }
command -v "${PGBENCH:-pgbench}" >/dev/null || { echo "bench: pgbench is needed (set PGBENCH=/path/to/pgbench)" >&2; exit 1; }
[ -f dist/server.js ] || { echo "bench: dist/server.js missing: run npm run build (make bench does)" >&2; exit 1; }
exec node --import tsx bench/main.ts "$@"
