# shellcheck shell=bash
# Sourced by scripts/start.sh: builds the admin portal (Next.js production build, `next build`) unless the
# build in apps/admin-portal/.next is from the same sources. Runs offline: no fonts or other assets are
# fetched at build time, and telemetry is off.

PORTAL_DIR="$ROOT/apps/admin-portal"
export NEXT_TELEMETRY_DISABLED=1

portal_sources_hash() {
  (cd "$PORTAL_DIR" && find src next.config.ts package.json tsconfig.json -type f -print0 | sort -z | xargs -0 sha256sum
   node --version; sha256sum "$ROOT/pnpm-lock.yaml") | sha256sum | cut -c1-64
}

build_portal() {
  local stamp="$PORTAL_DIR/.next/platform-source-hash" sum
  sum="$(portal_sources_hash)"
  if [ -f "$PORTAL_DIR/.next/BUILD_ID" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return; fi
  step "building the admin portal (next build, apps/admin-portal)"
  (cd "$PORTAL_DIR" && pnpm exec next build) || die "next build failed"
  echo "$sum" > "$stamp"
}
