#!/usr/bin/env bash
# Installs the browser the browser tests drive (Debian's `chromium`, through playwright-core; no browser download) and
# CJK fonts for its screenshots. Idempotent and fast when both are present; `npm test` runs it first (pretest).
# Without root or apt-get it only says what to do, and the browser tests then skip with that reason.
# --require: fail when Chromium is still missing afterwards (CI, where the browser tests must run).
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
require=false
[ "${1:-}" = "--require" ] && require=true

has_cjk_fonts() { ! command -v fc-list >/dev/null 2>&1 || [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]; }

if [ -x "$CHROMIUM" ] && has_cjk_fonts; then exit 0; fi

pkgs=()
[ -x "$CHROMIUM" ] || pkgs+=(chromium)
has_cjk_fonts || pkgs+=(fonts-noto-cjk)

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$CHROMIUM" = /usr/bin/chromium ]; then
  echo "install-chromium: installing ${pkgs[*]} for the browser tests (once)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null; }; }; then
    echo "install-chromium: apt-get could not install ${pkgs[*]}" >&2
  fi
else
  echo "install-chromium: ${pkgs[*]} missing and not installable here (needs root and apt-get)." >&2
  echo "install-chromium: run 'sudo apt-get install chromium fonts-noto-cjk', or set CHROMIUM_PATH to a Chromium binary." >&2
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium: no Chromium at $CHROMIUM: the browser tests (tests/e2e/docs.browser.test.ts) will be skipped." >&2
  $require && exit 1
fi
exit 0
