#!/usr/bin/env bash
# The first README command: installs what is missing (Node 24, pnpm, dependencies), prepares the
# databases (migrations + seed), then runs the whole platform in the foreground. Ctrl-C stops it all.
set -euo pipefail
source "$(dirname "$0")/lib/toolchain.sh"
source "$(dirname "$0")/lib/gateway.sh"
source "$(dirname "$0")/lib/portal.sh"
ensure_toolchain
build_gateway
build_portal
cd "$ROOT"
step "preparing databases (pnpm db:push, pnpm db:seed)"
node scripts/db.ts push
node scripts/db.ts seed
step "starting the platform"
exec node scripts/platform.ts "$@"
