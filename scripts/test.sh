#!/usr/bin/env bash
# The second README command: installs what is missing, then runs every check and test of every component
# (lint, typecheck, unit + integration + system tests on SQLite and PostgreSQL). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/toolchain.sh"
source "$(dirname "$0")/lib/postgres.sh"
source "$(dirname "$0")/lib/gateway.sh"
source "$(dirname "$0")/lib/portal.sh"
source "$(dirname "$0")/lib/chromium.sh"
source "$(dirname "$0")/lib/prometheus.sh"
source "$(dirname "$0")/lib/logrotate.sh"
source "$(dirname "$0")/lib/schemathesis.sh"
ensure_toolchain
# Built before the TypeScript suites: the system tests start the platform, gateway and portal included.
build_gateway
build_portal
# The console's browser tests drive Debian's Chromium through playwright-core.
ensure_chromium
# promtool, Prometheus and node-exporter for the monitoring tests (ops/).
ensure_prometheus
# logrotate for the log rotation test (e2e/src/ops/logrotate.test.ts).
ensure_logrotate
# Schemathesis (PyPI, in a venv) for the OpenAPI contract test (e2e/src/contract/schemathesis.test.ts).
ensure_schemathesis
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

vitest_passed=0 vitest_failed=0
if [ -f "$report" ]; then
  read -r vitest_passed vitest_failed < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests);
  ' "$report")
fi
echo "vitest: $vitest_passed passed, $vitest_failed failed"

step "gateway tests (cargo test, apps/pingora-proxy): unit, config validation and system tests"
cargo_log="$TOOLCHAIN/cargo-test.log"
cargo_status=0
(cd "$GATEWAY_DIR" && cargo test --locked 2>&1) | tee "$cargo_log" || cargo_status=$?
read -r cargo_passed cargo_failed < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$cargo_log")
echo "cargo: $cargo_passed passed, $cargo_failed failed"

# One closing line for the whole run (vitest and cargo together), in the plain `N passed, N failed` form.
total_failed=$((vitest_failed + cargo_failed))
[ "$status" -eq 0 ] && [ "$cargo_status" -eq 0 ] || [ "$total_failed" -gt 0 ] || total_failed=1
echo "total: $((vitest_passed + cargo_passed)) passed, $total_failed failed"
[ "$status" -eq 0 ] && [ "$cargo_status" -eq 0 ]
