#!/usr/bin/env bash
# `make bench [QUICK=1]` (after `npm run build`): the whole benchmark, see bench/main.ts and docs/performance.md.
# Extra options are passed through to bench/main.ts (e.g. bash bench/run.sh --only get-by-id --reps 1); then the
# webhook benchmark runs (skipped with --only).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v psql >/dev/null || { echo "bench: psql is needed (PostgreSQL client)" >&2; exit 1; }
command -v "${PGBENCH:-pgbench}" >/dev/null || { echo "bench: pgbench is needed (set PGBENCH=/path/to/pgbench)" >&2; exit 1; }
[ -f dist/server.js ] || { echo "bench: dist/server.js missing: run npm run build (make bench does)" >&2; exit 1; }
node --import tsx bench/main.ts "$@"
# webhooks (issue 13): deliveries/s to a local receiver and delivery lag p50/p99 under the API's write load, then the
# delivery capacity on a backlog (bench/webhooks.ts; alone: npm run bench:webhooks [-- --backlog]). Not with --only.
case " $* " in
  *" --only "*) ;;
  *)
    node --import tsx bench/webhooks.ts --url "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" $([[ " $* " == *" --quick "* ]] && echo "--changes 1000")
    node --import tsx bench/webhooks.ts --url "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" --backlog $([[ " $* " == *" --quick "* ]] && echo "--changes 1000")
    ;;
esac
