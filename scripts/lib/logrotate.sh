# shellcheck shell=bash
# Sourced by scripts/test.sh: logrotate (Debian) for the log rotation test (e2e/src/ops/logrotate.test.ts).
ensure_logrotate() {
  command -v logrotate >/dev/null || [ -x /usr/sbin/logrotate ] && return
  step "installing logrotate from Debian (apt-get)"
  [ "$(id -u)" = 0 ] || die "logrotate is missing: install it with 'sudo apt-get install logrotate'"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends logrotate >/dev/null \
    || die "apt-get install logrotate failed"
}
