#!/usr/bin/env bash
# The host side of the dashboard's browser tests in the VM (scenarios/s40_web.py).
#
# usage: web-host.sh prepare SHARE      checks for Chromium and node, installs tests/web's
#                                       locked dependencies (npm ci) if missing, and writes
#                                       SHARE/web-host so the guest knows a browser will come
#        web-host.sh watch SHARE PORT   waits for SHARE/web-ready, runs tests/web/e2e.mjs
#                                       against http://127.0.0.1:PORT/ (qemu forwards it to the
#                                       guest's daemon), writes SHARE/web-e2e.log, then
#                                       SHARE/web-done with its exit status
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TOP=$(readlink -f "$HERE/../..")

log() {
        printf 'web-host: %s\n' "$*" >&2
}

prepare() {
        local share=$1
        command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null ||
                { log "error: no ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"; return 1; }
        command -v node >/dev/null || { log "error: no node (apt-get install nodejs npm)"; return 1; }
        "$TOP/tests/web/deps.sh"
        echo "$(date -u +%FT%TZ) host browser tests ready" >"$share/web-host"
}

watch() {
        local share=$1 port=$2 rc=0
        while [[ ! -e $share/web-ready ]]; do
                [[ -e $share/guest.rc ]] && return 0
                sleep 1
        done
        log "guest ready: running the browser tests against 127.0.0.1:$port"
        local get='import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])'
        (cd "$TOP" && UNITWATCH_URL="http://127.0.0.1:$port/" UNITWATCH_WEB_MODE=bus \
                UNITWATCH_XSS_UNIT=$(python3 -c "$get" "$share/web-ready" xss_unit) \
                UNITWATCH_CHECK_UNIT=$(python3 -c "$get" "$share/web-ready" check_unit) \
                UNITWATCH_LIMIT_UNIT=$(python3 -c "$get" "$share/web-ready" limit_unit) \
                UNITWATCH_ARTIFACTS="$TOP/build/web-artifacts" \
                timeout 300 node tests/web/e2e.mjs) >"$share/web-e2e.log" 2>&1 || rc=$?
        echo "$rc" >"$share/web-done.tmp"
        mv "$share/web-done.tmp" "$share/web-done"
        log "browser tests exited with status $rc (screenshots in build/web-artifacts/vm-*.png)"
}

case ${1:-} in
prepare) prepare "$2" ;;
watch) watch "$2" "$3" ;;
*)
        echo "usage: $0 prepare SHARE | watch SHARE PORT" >&2
        exit 2
        ;;
esac
