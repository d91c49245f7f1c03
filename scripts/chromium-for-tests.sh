#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/web/test_browser_e2e.py), which Playwright
# drives with executablePath /usr/bin/chromium — no browser download by Playwright.
#
#   scripts/chromium-for-tests.sh   install it if missing (Debian packages, needs root) and
#                                   print its path
#
# Only the path goes to stdout; progress and errors go to stderr.
set -euo pipefail

CHROMIUM=${PAPERPATH_CHROMIUM:-/usr/bin/chromium}
log() { echo "chromium-for-tests: $*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ ! -x $CHROMIUM ]]; then
    [[ $(id -u) == 0 ]] || die "$CHROMIUM is missing and installing it needs root"
    command -v apt-get >/dev/null || die "$CHROMIUM is missing and apt-get is missing"
    log "installing Chromium from Debian packages ..."
    out=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
               chromium fonts-dejavu-core; } >"$out" 2>&1; then
        tail -n 20 "$out" >&2
        rm -f "$out"
        die "apt-get could not install chromium"
    fi
    rm -f "$out"
fi
[[ -x $CHROMIUM ]] || die "$CHROMIUM still missing after the install"
echo "$CHROMIUM"
