# shellcheck shell=bash
# Sourced by scripts/start.sh: builds the consoles (Next.js production builds, `next build`): the admin
# console (apps/admin-portal) and the account console (apps/account-portal), each unless its build in
# .next is from the same sources (its own and the shared packages it compiles). Runs offline: no fonts or
# other assets are fetched at build time, and telemetry is off.

PORTAL_DIRS=("$ROOT/apps/admin-portal" "$ROOT/apps/account-portal")
# Workspace packages the consoles compile with them (next.config.ts transpilePackages).
PORTAL_SHARED=("$ROOT/packages/ui" "$ROOT/packages/web-session" "$ROOT/packages/config" "$ROOT/packages/auth" "$ROOT/packages/http")
export NEXT_TELEMETRY_DISABLED=1

portal_sources_hash() {
  local dir="$1" shared
  ( (cd "$dir" && find src next.config.ts package.json tsconfig.json -type f -print0 | sort -z | xargs -0 sha256sum)
    for shared in "${PORTAL_SHARED[@]}"; do
      (cd "$shared" && find src package.json -type f -print0 | sort -z | xargs -0 sha256sum)
    done
    node --version; sha256sum "$ROOT/pnpm-lock.yaml") | sha256sum | cut -c1-64
}

build_portal_in() {
  local dir="$1" stamp="$1/.next/platform-source-hash" sum
  sum="$(portal_sources_hash "$dir")"
  if [ -f "$dir/.next/BUILD_ID" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return; fi
  step "building $(basename "$dir") (next build, ${dir#"$ROOT/"})"
  (cd "$dir" && pnpm exec next build) || die "next build failed in ${dir#"$ROOT/"}"
  echo "$sum" > "$stamp"
}

build_portal() {
  local dir
  for dir in "${PORTAL_DIRS[@]}"; do build_portal_in "$dir"; done
}
