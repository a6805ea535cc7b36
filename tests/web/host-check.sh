#!/usr/bin/env bash
# `make web-check`: the dashboard's browser tests on this host, against the daemon without a bus
# on the host-a fixture tree (no states, scores or drift: the page must say so). The same tests
# run with real systemd in the VM tier (tests/vm/scenarios/s40_web.py).
#
# usage: tests/web/host-check.sh [BINARY]     screenshots: build/web-artifacts/host-*.png
set -euo pipefail
bin=${1:-build/unitwatchd}
work=$(mktemp -d /tmp/unitwatch-web.XXXXXX)
pid=
cleanup() {
        if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
        rm -rf "$work"
}
trap cleanup EXIT

command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null ||
        { echo "web-check: no ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)" >&2; exit 1; }
tests/web/deps.sh

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" --no-bus --cgroup-root tests/fixtures/host-a --sysfs-root tests/fixtures/host-a-sysfs \
        --listen "127.0.0.1:$port" --interval 1 --state-dir "$work/state" 2>"$work/daemon.log" &
pid=$!
for _ in $(seq 50); do
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
                "http://127.0.0.1:$port/readyz" 2>/dev/null && break
        sleep 0.1
done
# Two collections, so the overview has rates and the charts two points.
sleep 2.5
UNITWATCH_URL="http://127.0.0.1:$port/" UNITWATCH_WEB_MODE=nobus \
        UNITWATCH_XSS_UNIT='quote"and<angle>.service' UNITWATCH_CHECK_UNIT=nginx.service \
        UNITWATCH_LIMIT_UNIT=nginx.service UNITWATCH_ARTIFACTS=build/web-artifacts \
        node tests/web/e2e.mjs
