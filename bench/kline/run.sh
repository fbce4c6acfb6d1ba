#!/usr/bin/env bash
# kline-service benchmarks, each printing our figures against the service's targets.
#
#   bash bench/kline/run.sh                 # all three: ingest, klines, ws
#   bash bench/kline/run.sh ingest [flags]  # one of them, flags passed through (see each .ts file)
#
# PostgreSQL runs as a benchmark cluster of its own with the durability settings of a real server (fsync
# and synchronous_commit on: an acknowledged ingest is on disk), unlike the test suite's throw-away cluster
# (fsync off). It lives in BENCH_PG_DIR on BENCH_PG_PORT and is stopped again at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=../../scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh
# shellcheck source=../../scripts/lib/postgres.sh
source scripts/lib/postgres.sh
ensure_toolchain

BENCH_PG_PORT="${BENCH_PG_PORT:-55480}"
BENCH_PG_DIR="${BENCH_PG_DIR:-/tmp/kline-bench-pg}"
ensure_postgres_installed
bin="$(pg_bin)"
start_pg_cluster "$BENCH_PG_DIR" "$BENCH_PG_PORT" "-c fsync=on -c synchronous_commit=on" benchmark
trap 'as_pg_owner "$bin/pg_ctl" -D "$BENCH_PG_DIR" -m fast stop >/dev/null' EXIT
TEST_POSTGRES_URL="$(pg_cluster_url "$BENCH_PG_DIR" "$BENCH_PG_PORT")"
export TEST_POSTGRES_URL

which="${1:-all}"
[ $# -gt 0 ] && shift
case "$which" in
  ingest) node bench/kline/ingest.ts "$@" ;;
  klines) node bench/kline/klines.ts "$@" ;;
  ws) node bench/kline/ws-latency.ts "$@" ;;
  all)
    node bench/kline/ingest.ts
    node bench/kline/klines.ts
    node bench/kline/ws-latency.ts
    ;;
  *) die "usage: bash bench/kline/run.sh [ingest|klines|ws|all] [flags]" ;;
esac
