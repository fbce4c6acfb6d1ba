#!/usr/bin/env bash
# Backs up every service database, then deletes backups older than the retention (the runbook's backup.sh,
# for each service's own database):
#   PostgreSQL: pg_dump | gzip      → $BACKUP_DIR/<service>_<YYYYmmdd_HHMMSS>.sql.gz
#   SQLite:     online backup API   → $BACKUP_DIR/<service>_<YYYYmmdd_HHMMSS>.db.gz   (safe while the service runs)
# Files are 0600 in a 0700 directory.
#
#   scripts/backup.sh [component]          # all components with a database, or one
#   BACKUP_DIR=/backups BACKUP_RETENTION_DAYS=7 scripts/backup.sh
#   cron, every day at 02:00:  0 2 * * * /path/to/repo/scripts/backup.sh
#
# Each service's database is the one it runs with: <SERVICE>_DATABASE_URL (e.g. OAUTH_SERVICE_DATABASE_URL),
# else SQLite under PLATFORM_DATA_DIR (default data/). Restore with scripts/restore.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/toolchain.sh"
ensure_toolchain >/dev/null

export BACKUP_DIR="${BACKUP_DIR:-$ROOT/backups}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-7}"
[[ "$RETENTION_DAYS" =~ ^[0-9]+$ ]] || die "BACKUP_RETENTION_DAYS must be a whole number of days, not '$RETENTION_DAYS'"

# Backups hold password hashes, emails and token ids: owner-only, whatever the caller's umask. BACKUP_DIR is
# the backups' own directory (retention deletes in it), so an existing one is tightened too, with any backup
# in it that others can read.
umask 077
mkdir -p -m 700 "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"
find "$BACKUP_DIR" -maxdepth 1 -type f \( -name '*_[0-9]*_[0-9]*.sql.gz' -o -name '*_[0-9]*_[0-9]*.db.gz' \) \
  -perm /077 -exec chmod 600 {} +
cd "$ROOT"
node scripts/db.ts backup "$@"

# Retention: only files named like our backups are ever deleted.
find "$BACKUP_DIR" -maxdepth 1 -type f \( -name '*_[0-9]*_[0-9]*.sql.gz' -o -name '*_[0-9]*_[0-9]*.db.gz' \) \
  -mtime +"$RETENTION_DAYS" -print -delete | sed 's/^/deleted (older than '"$RETENTION_DAYS"' days): /'

echo "Backup completed: $BACKUP_DIR"
