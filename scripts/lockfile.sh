#!/bin/sh
# package-lock.json as committed must be what `npm install` leaves it as on a fresh clone, or
# installs are not reproducible. That is npm's resolution from package.json and the lockfile
# alone, with no node_modules, which this script gets by running npm in a temporary directory
# holding only package.json, package-lock.json and .npmrc: node_modules (shared or private) is
# never read or touched. npm fetches the registry metadata it needs.
#
#   sh scripts/lockfile.sh           exit 1, showing the difference, when npm install would change it
#   sh scripts/lockfile.sh --write   rewrite it that way (after changing or merging dependencies),
#                                    then commit it
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json .npmrc "$work/"
(cd "$work" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund >/dev/null)
if [ "${1:-}" = --write ]; then
  cp "$work/package-lock.json" package-lock.json
  echo "package-lock.json: written as npm install leaves it"
elif cmp -s package-lock.json "$work/package-lock.json"; then
  echo "package-lock.json: npm install leaves it unchanged"
else
  diff -u package-lock.json "$work/package-lock.json" | head -200 >&2 || true
  echo "package-lock.json: npm install would change it (above); run: sh scripts/lockfile.sh --write" >&2
  exit 1
fi
