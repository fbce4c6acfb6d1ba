# shellcheck shell=bash
# Sourced by scripts/test.sh: the browser tests drive Debian's `chromium` with playwright-core (Playwright's
# own browser download is not available here), so install it with apt-get when it is missing.

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  [ "$(id -u)" = 0 ] || die "the browser tests need Chromium (sudo apt-get install chromium)"
  step "installing chromium (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || die "apt-get install chromium failed"
}
