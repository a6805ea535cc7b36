#!/bin/sh
# Installs the browser tests' npm dependencies exactly as package-lock.json pins them, once.
set -eu
cd "$(dirname "$0")"
if [ -f node_modules/playwright-core/package.json ] &&
        cmp -s package-lock.json node_modules/.package-lock.json.installed; then
        exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.package-lock.json.installed
