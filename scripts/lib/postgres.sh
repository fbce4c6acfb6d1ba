# shellcheck shell=bash
# Sourced by scripts/test.sh: starts a throw-away PostgreSQL 15 cluster for the test suites and exports
# TEST_POSTGRES_URL. Its own data directory and port keep it apart from any system cluster on 5432.
#
# The cluster is password-protected (scram-sha-256 for every connection, local socket included), so no other
# user of the machine can use it: its random password lives in `test-password` (0600) inside the data
# directory, which initdb makes 0700 and which belongs to the cluster owner. TEST_POSTGRES_URL carries it.
#   bash scripts/lib/postgres.sh url     # prints TEST_POSTGRES_URL of the running test cluster (benchmarks)

PG_TEST_PORT="${PG_TEST_PORT:-55432}"
PG_TEST_DIR="${PG_TEST_DIR:-/tmp/oauth-platform-test-pg}"
PG_PASSWORD_FILE_NAME="test-password"

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

pg_owner_uid() {
  if [ "$(id -u)" = 0 ]; then id -u postgres; else id -u; fi
}

# A fresh directory for a cluster, private to its owner. `mkdir` without -p fails if the path appeared in the
# meantime: in a shared /tmp another user could otherwise plant the directory (and a configuration in it).
make_cluster_dir() {
  local dir="$1"
  rm -rf "$dir"
  mkdir -m 700 "$dir" || die "cannot create $dir (does another user own it?)"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
}

# Refuses a data directory the cluster owner does not own, or one others may read: it would not be ours.
check_cluster_dir() {
  local dir="$1" owner perms
  owner="$(stat -c %u "$dir")"; perms="$(stat -c %a "$dir")"
  [ "$owner" = "$(pg_owner_uid)" ] || die "$dir belongs to uid $owner, not to the cluster owner: remove it"
  [ "$perms" = 700 ] || die "$dir has mode $perms (not 700): remove it and let the tests recreate it"
}

# initdb with a random password for `postgres` and scram-sha-256 for every connection. The password reaches
# initdb through a file in a private temporary directory the cluster owner can read (not on a command line);
# it is kept in the data directory, 0600.
init_pg_cluster() {
  local dir="$1" bin; bin="$(pg_bin)"
  local tmp; tmp="$(mktemp -d)"
  (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/pw")
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$tmp"; fi
  if ! as_pg_owner "$bin/initdb" -D "$dir" -U postgres -A scram-sha-256 --pwfile="$tmp/pw" --no-sync >/dev/null; then
    rm -rf "$tmp"; die "initdb failed"
  fi
  as_pg_owner cp "$tmp/pw" "$dir/$PG_PASSWORD_FILE_NAME"
  as_pg_owner chmod 600 "$dir/$PG_PASSWORD_FILE_NAME"
  rm -rf "$tmp"
}

# postgres://postgres:<password>@127.0.0.1:<port>/postgres for the cluster in `dir`.
pg_cluster_url() {
  local dir="$1" port="$2"
  [ -f "$dir/$PG_PASSWORD_FILE_NAME" ] || die "$dir has no $PG_PASSWORD_FILE_NAME: remove it to recreate the cluster"
  echo "postgres://postgres:$(cat "$dir/$PG_PASSWORD_FILE_NAME")@127.0.0.1:$port/postgres"
}

# A cluster made without a password trusts every local user, so it is not kept: the test cluster is
# disposable, and the next step makes a password-protected one in its place.
replace_passwordless_cluster() {
  local bin="$1"
  [ -f "$PG_TEST_DIR/PG_VERSION" ] && [ ! -f "$PG_TEST_DIR/$PG_PASSWORD_FILE_NAME" ] || return 0
  step "replacing the test PostgreSQL cluster in $PG_TEST_DIR: it was created without a password"
  as_pg_owner "$bin/pg_ctl" -D "$PG_TEST_DIR" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
}

# Starts the cluster in `dir` on `port` (created first, password-protected, when missing), listening on
# loopback only, with `options` for the server. The socket lives in the data directory, not in the shared
# /tmp. `what` names the cluster in the progress lines ("test", "benchmark").
start_pg_cluster() {
  local dir="$1" port="$2" options="$3" what="$4"
  local bin; bin="$(pg_bin)"
  if [ ! -f "$dir/PG_VERSION" ]; then
    step "creating a $what PostgreSQL cluster in $dir (port $port, password-protected)"
    make_cluster_dir "$dir"
    init_pg_cluster "$dir"
  fi
  check_cluster_dir "$dir"
  step "starting the $what PostgreSQL on 127.0.0.1:$port"
  as_pg_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $options" start >/dev/null \
    || die "PostgreSQL failed to start: see $dir/server.log"
}

ensure_test_postgres() {
  ensure_postgres_installed
  local bin; bin="$(pg_bin)"
  replace_passwordless_cluster "$bin"
  if ! as_pg_owner "$bin/pg_ctl" -D "$PG_TEST_DIR" status >/dev/null 2>&1; then
    # fsync off: the cluster is disposable and the suites create and drop many databases.
    start_pg_cluster "$PG_TEST_DIR" "$PG_TEST_PORT" "-c fsync=off -c max_connections=200" test
  fi
  TEST_POSTGRES_URL="$(pg_cluster_url "$PG_TEST_DIR" "$PG_TEST_PORT")"
  export TEST_POSTGRES_URL
}

# Run directly: `bash scripts/lib/postgres.sh url` prints the running test cluster's URL.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  die() { printf 'error: %s\n' "$*" >&2; exit 1; }
  [ "${1:-}" = url ] || die "usage: bash scripts/lib/postgres.sh url"
  [ -f "$PG_TEST_DIR/PG_VERSION" ] || die "no test cluster in $PG_TEST_DIR: run scripts/test.sh once"
  pg_cluster_url "$PG_TEST_DIR" "$PG_TEST_PORT"
fi
