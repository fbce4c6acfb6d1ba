#!/usr/bin/env bash
# The second README command: installs what is missing, then runs every check and test of every component
# (lint, typecheck, unit + integration + system tests on SQLite and PostgreSQL). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/toolchain.sh"
source "$(dirname "$0")/lib/postgres.sh"
source "$(dirname "$0")/lib/gateway.sh"
ensure_toolchain
# Built before the TypeScript suites: the system tests start the platform, gateway included.
build_gateway
cd "$ROOT"

started_pg=""
if ! as_pg_owner "$(pg_bin 2>/dev/null || echo /nonexistent)/pg_ctl" -D "$PG_TEST_DIR" status >/dev/null 2>&1; then started_pg=1; fi
ensure_test_postgres
stop_pg() { [ -n "$started_pg" ] && as_pg_owner "$(pg_bin)/pg_ctl" -D "$PG_TEST_DIR" -m fast stop >/dev/null 2>&1 || true; }
trap stop_pg EXIT

step "lint and format check (biome)"
pnpm lint

step "typecheck (tsc, every package)"
pnpm exec turbo run typecheck --output-logs=errors-only
pnpm exec tsc -p .

step "tests: unit, integration and system, on SQLite and PostgreSQL (vitest)"
report="$TOOLCHAIN/vitest-report.json"
rm -f "$report"
status=0
pnpm exec vitest run --reporter=verbose --reporter=json --outputFile.json="$report" || status=$?

if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  ' "$report"
fi

step "gateway tests (cargo test, apps/pingora-proxy): unit, config validation and system tests"
cargo_status=0
(cd "$GATEWAY_DIR" && cargo test --locked) || cargo_status=$?

[ "$status" -eq 0 ] && [ "$cargo_status" -eq 0 ]
