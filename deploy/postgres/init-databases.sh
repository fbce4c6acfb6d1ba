#!/bin/bash
# Runs once, on the first start of the postgres container (docker-entrypoint-initdb.d): one role and one
# database per service, each owned by its role, so no service can read another's tables (docs/architecture.md).
# Passwords come from the container's environment (docker-compose.yml takes them from .env).
set -euo pipefail

create() {
  local role="$1" database="$2" password="$3"
  [ -n "$password" ] || { echo "init-databases: the password of role $role is empty" >&2; exit 1; }
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="$role" -v database="$database" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
}

create oauth oauth_db "${OAUTH_DB_PASSWORD:-}"
create kline kline_db "${KLINE_DB_PASSWORD:-}"
create flow flow_db "${FLOW_DB_PASSWORD:-}"
create test test_db "${TEST_DB_PASSWORD:-}"
