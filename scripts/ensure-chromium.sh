#!/bin/sh
# Makes sure the Chromium the end-to-end test drives exists (CHROMIUM_PATH, default
# /usr/bin/chromium). When it is missing and we are root with apt, installs Debian's `chromium`;
# otherwise fails saying what to do.
set -eu

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  exit 0
fi

if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "ensure-chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
  echo "Point CHROMIUM_PATH at a Chromium binary, or unset it to use /usr/bin/chromium." >&2
  exit 1
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $chromium is missing; installing Debian's chromium with apt-get." >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  if [ -x "$chromium" ]; then
    exit 0
  fi
  echo "ensure-chromium: apt-get installed chromium but $chromium is still missing." >&2
  exit 1
fi

echo "ensure-chromium: $chromium is missing, and it cannot be installed here (needs root and apt-get)." >&2
echo "Install it (sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium binary." >&2
exit 1
