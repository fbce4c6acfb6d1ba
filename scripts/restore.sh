#!/usr/bin/env bash
# Restores one service database from a file written by scripts/backup.sh:
#   scripts/restore.sh <backup file> [component]     # the component defaults to the file name's prefix
#
# PostgreSQL: the dump is replayed with psql in one transaction (it drops and recreates the service's tables;
# on any error nothing changes). SQLite: the snapshot is integrity-checked, then atomically replaces the file.
# Stop the service first (its data would otherwise change under it); the script refuses while the component
# answers on its port, unless --force. Temporary plaintext stays in a private directory removed on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/toolchain.sh"
ensure_toolchain >/dev/null

force=""
args=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done
[ ${#args[@]} -ge 1 ] && [ ${#args[@]} -le 2 ] || die "usage: scripts/restore.sh <backup file> [component] [--force]"
file="${args[0]}"
[ -f "$file" ] || die "no such backup file: $file"
name="$(basename "$file")"
component="${args[1]:-${name%%_*}}"

port="$(cd "$ROOT" && node -e '
  import("./scripts/components.ts").then(({ components }) => {
    const c = components.find((c) => c.name === process.argv[1] && c.database);
    console.log(c ? c.port : "");
  });' "$component")"
[ -n "$port" ] || die "no component with a database is called '$component'"
if [ -z "$force" ] && curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/health"; then
  die "$component is running on port $port: stop it before restoring (or pass --force)"
fi

cd "$ROOT"
file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
# The restore decompresses to plaintext SQL (PostgreSQL) first: owner-only files in a private directory that
# is removed however the restore ends (success, failure, or the node process being killed).
umask 077
work="$(mktemp -d "${TMPDIR:-/tmp}/platform-restore.XXXXXX")"
trap 'rm -rf "$work"' EXIT
TMPDIR="$work" node scripts/db.ts restore "$component" "$file"
