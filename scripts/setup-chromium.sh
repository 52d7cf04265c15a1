#!/usr/bin/env bash
# Installs Debian's chromium for the browser test of the HTML eval report
# (test/evals/report-screenshot.test.ts), with CJK fonts so Chinese cases render in its
# screenshots. Idempotent: when both are there it prints the version and exits.
set -euo pipefail

CHROMIUM="${ORIOLE_CHROMIUM_PATH:-/usr/bin/chromium}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

log() { echo "[setup-chromium] $*"; }

has_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]
}

packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)
has_cjk_font || packages+=(fonts-noto-cjk)

if [ "${#packages[@]}" -gt 0 ]; then
  log "installing ${packages[*]}"
  install_packages() {
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  }
  # A fresh container has no package lists yet: update only when the install needs it.
  if ! install_packages; then
    $SUDO apt-get update -qq
    install_packages
  fi
fi

log "ready: $("$CHROMIUM" --version 2>/dev/null | head -n 1) at ${CHROMIUM}"
