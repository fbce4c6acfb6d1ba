# shellcheck shell=bash
# Sourced by scripts/test.sh: puts Debian's Prometheus 2.x (prometheus, promtool) and node-exporter into
# the git-ignored .toolchain/prometheus/ for the monitoring tests (ops/src/prometheus).
#
# Why `apt-get download` + `dpkg-deb -x` rather than `apt-get install`: installing the packages runs their
# maintainer scripts, which on a machine without a policy-rc.d start the daemons as system services on
# 9090 and 9100, the platform's own Prometheus port. The tests only need the binaries (static Go
# programs), started on free ports with their own temporary data directories.

PROMETHEUS_DIR="$TOOLCHAIN/prometheus"
PROMETHEUS_PACKAGES=(prometheus prometheus-node-exporter)

# The monitoring system test runs the gateway with TLS on a self-signed certificate made by `openssl req`.
ensure_openssl_cli() {
  command -v openssl >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || die "the openssl command is missing: sudo apt-get install openssl"
  step "installing openssl (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null \
    || die "apt-get install openssl failed"
}

ensure_prometheus() {
  ensure_openssl_cli
  export PROMETHEUS_BIN_DIR="$PROMETHEUS_DIR/usr/bin"
  if [ -x "$PROMETHEUS_BIN_DIR/prometheus" ] && [ -x "$PROMETHEUS_BIN_DIR/promtool" ] \
    && [ -x "$PROMETHEUS_BIN_DIR/prometheus-node-exporter" ]; then
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "Prometheus comes from Debian's packages: apt-get is needed"
  step "fetching ${PROMETHEUS_PACKAGES[*]} from Debian (apt-get download) into .toolchain/prometheus"
  # A private download directory (mktemp: 0700). As root, apt-get downloads as its sandbox user _apt, so the
  # directory is handed to _apt alone: root then unpacks what only root and _apt could have written there
  # (a world-writable directory would let any local user swap a package before root unpacks it).
  local tmp; tmp="$(mktemp -d)"
  if [ "$(id -u)" = 0 ] && id -u _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  if ! (cd "$tmp" && apt-get download -qq "${PROMETHEUS_PACKAGES[@]}" >/dev/null 2>&1); then
    [ "$(id -u)" = 0 ] || die "apt-get download ${PROMETHEUS_PACKAGES[*]} failed; run 'sudo apt-get update' first"
    apt-get update -qq >/dev/null
    (cd "$tmp" && apt-get download -qq "${PROMETHEUS_PACKAGES[@]}" >/dev/null) \
      || die "apt-get download ${PROMETHEUS_PACKAGES[*]} failed"
  fi
  rm -rf "$PROMETHEUS_DIR"; mkdir -p "$PROMETHEUS_DIR"
  local deb
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$PROMETHEUS_DIR" || die "dpkg-deb -x $deb failed"; done
  rm -rf "$tmp"
  "$PROMETHEUS_BIN_DIR/promtool" --version >/dev/null || die "promtool from $PROMETHEUS_DIR does not run"
}
