# shellcheck shell=bash
# Sourced by scripts/test.sh: starts a throw-away PostgreSQL 15 cluster for the test suites and exports
# TEST_POSTGRES_URL. Its own data directory and port keep it apart from any system cluster on 5432.

PG_TEST_PORT="${PG_TEST_PORT:-55432}"
PG_TEST_DIR="${PG_TEST_DIR:-/tmp/oauth-platform-test-pg}"

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
}

ensure_postgres_installed() {
  [ -n "$(pg_bin)" ] && return
  step "installing PostgreSQL 15 from Debian (apt-get)"
  [ "$(id -u)" = 0 ] || die "PostgreSQL 15 is missing: install it with 'sudo apt-get install postgresql-15'"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null \
    || die "apt-get install postgresql-15 failed"
}

# Runs a command as the cluster owner: PostgreSQL refuses to run as root.
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_test_postgres() {
  ensure_postgres_installed
  local bin; bin="$(pg_bin)"
  export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_TEST_PORT/postgres"
  if as_pg_owner "$bin/pg_ctl" -D "$PG_TEST_DIR" status >/dev/null 2>&1; then return; fi
  if [ ! -f "$PG_TEST_DIR/PG_VERSION" ]; then
    step "creating a test PostgreSQL cluster in $PG_TEST_DIR (port $PG_TEST_PORT)"
    rm -rf "$PG_TEST_DIR"; mkdir -p "$PG_TEST_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_TEST_DIR"
    as_pg_owner "$bin/initdb" -D "$PG_TEST_DIR" -U postgres -A trust --no-sync >/dev/null || die "initdb failed"
  fi
  step "starting the test PostgreSQL on 127.0.0.1:$PG_TEST_PORT"
  # fsync off: the cluster is disposable and the suites create and drop many databases.
  as_pg_owner "$bin/pg_ctl" -D "$PG_TEST_DIR" -l "$PG_TEST_DIR/server.log" -w \
    -o "-p $PG_TEST_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || die "PostgreSQL failed to start: see $PG_TEST_DIR/server.log"
}
