#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium (Playwright's own browser download cannot work
# offline). Installs it when missing and we may; otherwise says how.
set -euo pipefail
# Korean and emoji fonts make the screenshots readable; the checks read text, not pixels.
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi nanum; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the end-to-end tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-nanum fonts-noto-color-emoji >/dev/null
else
  if [ -x /usr/bin/chromium ]; then exit 0; fi
  echo "chromium is missing: install it (sudo apt-get install chromium) for the end-to-end tests." >&2
  exit 1
fi
