# shellcheck shell=bash
# Sourced by scripts/test.sh: Schemathesis (PyPI) in a venv under .toolchain/ for the OpenAPI contract test
# (e2e/src/contract/schemathesis.test.ts). Pinned so a new release cannot change which checks pass.
SCHEMATHESIS_VERSION="4.32.5"
SCHEMATHESIS_VENV="$TOOLCHAIN/schemathesis"

ensure_schemathesis() {
  local st="$SCHEMATHESIS_VENV/bin/st"
  if [ -x "$st" ] && [ "$("$st" --version 2>/dev/null | grep -o '[0-9][0-9.]*$')" = "$SCHEMATHESIS_VERSION" ]; then return; fi
  command -v python3 >/dev/null || die "python3 is needed for Schemathesis (the OpenAPI contract test)"
  step "installing Schemathesis $SCHEMATHESIS_VERSION into .toolchain/schemathesis (python3 -m venv + pip)"
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
}
