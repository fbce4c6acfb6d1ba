# shellcheck shell=bash
# Sourced by scripts/test.sh: the Python test tools (PyPI) in a venv under .toolchain/: Schemathesis for the
# OpenAPI contract test (e2e/src/contract/schemathesis.test.ts) and aiosmtpd, the SMTP server the mail tests
# start and read delivered messages from (packages/testing/src/smtp-server.ts). Pinned so a new release
# cannot change which checks pass.
SCHEMATHESIS_VERSION="4.32.5"
AIOSMTPD_VERSION="1.4.6"
SCHEMATHESIS_VENV="$TOOLCHAIN/schemathesis"

ensure_schemathesis() {
  local st="$SCHEMATHESIS_VENV/bin/st"
  if [ -x "$st" ] && [ "$("$st" --version 2>/dev/null | grep -o '[0-9][0-9.]*$')" = "$SCHEMATHESIS_VERSION" ] \
    && [ "$("$SCHEMATHESIS_VENV/bin/python" -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null)" = "$AIOSMTPD_VERSION" ]; then
    return
  fi
  command -v python3 >/dev/null || die "python3 is needed for Schemathesis (the OpenAPI contract test)"
  step "installing Schemathesis $SCHEMATHESIS_VERSION and aiosmtpd $AIOSMTPD_VERSION into .toolchain/schemathesis (python3 -m venv + pip)"
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "aiosmtpd==$AIOSMTPD_VERSION" \
    || die "pip install schemathesis==$SCHEMATHESIS_VERSION aiosmtpd==$AIOSMTPD_VERSION failed"
}
