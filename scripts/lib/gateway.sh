# shellcheck shell=bash
# Sourced by scripts/start.sh and scripts/test.sh: builds the Rust gateway (apps/pingora-proxy).
# Pingora links OpenSSL; we use Debian's libssl (OPENSSL_NO_VENDOR=1) instead of compiling a vendored copy,
# which saves minutes on every fresh build.

GATEWAY_DIR="$ROOT/apps/pingora-proxy"
export OPENSSL_NO_VENDOR=1

ensure_gateway_build_deps() {
  command -v cargo >/dev/null 2>&1 || die "cargo is needed to build the gateway (Rust 1.85+)"
  local missing=()
  for pkg in libssl-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "the gateway build needs: ${missing[*]} (sudo apt-get install ${missing[*]})"
  step "installing ${missing[*]} (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Debug build, as the runbook's `cargo build`; cargo redoes nothing when nothing changed.
build_gateway() {
  ensure_gateway_build_deps
  step "building the gateway (cargo build, apps/pingora-proxy)"
  (cd "$GATEWAY_DIR" && cargo build --locked) || die "cargo build failed"
}
