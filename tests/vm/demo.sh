#!/usr/bin/env bash
# `make demo`: boots the test guest with unitwatchd (the packaged unit) and a few sample
# services (scenarios/web_units.py: a hardened one, a careless one, one creeping towards its
# MemoryMax, one that fails and restarts), forwards the daemon to 127.0.0.1:PORT here and
# keeps it up until Ctrl-C.
#
# Environment: UNITWATCH_DEMO_PORT (default 9839), plus those of build-image.sh and run-vm.sh
# (UNITWATCH_VM_ACCEL, UNITWATCH_VM_MEM, ...).
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TOP=$(readlink -f "$HERE/../..")
PORT=${UNITWATCH_DEMO_PORT:-9839}

log() {
        printf 'demo: %s\n' "$*" >&2
}

[[ -x $TOP/build/unitwatchd ]] || { log "error: build/unitwatchd missing; run make first"; exit 1; }
if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
        "$PORT" 2>/dev/null; then
        log "error: 127.0.0.1:$PORT is taken (a unitwatchd running here?); pick another port:"
        log "       make demo UNITWATCH_DEMO_PORT=19839"
        exit 1
fi

image=$("$HERE/build-image.sh" | tail -n 1)
share=$(mktemp -d "${TMPDIR:-/tmp}/unitwatch-demo.XXXXXX")
install -m 0755 "$TOP/build/unitwatchd" "$share/unitwatchd"
install -m 0644 "$TOP/packaging/unitwatchd.service" "$share/unitwatchd.service"
install -m 0644 "$TOP/packaging/unitwatch.sysusers" "$share/unitwatch.sysusers"
mkdir "$share/scenarios"
cp "$HERE"/scenarios/*.py "$share/scenarios/"
cat >"$share/guest-run.sh" <<'GUEST'
#!/usr/bin/env bash
# The demo guest: sample services and the daemon, then stays up until the host stops it.
SHARE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
export UNITWATCHD=$SHARE/unitwatchd UNITWATCH_RESULTS=$SHARE/results.txt
exec python3 "$SHARE/scenarios/web_units.py" demo
GUEST

# Says where to look once the guest is ready (or that it gave up).
announce() {
        while [[ ! -e $share/demo-ready ]]; do
                if [[ -e $share/guest.rc ]]; then
                        log "the guest stopped before the demo was ready; its log: $share/guest.log"
                        return
                fi
                sleep 1
        done
        cat <<MSG

  unitwatch demo is up:
    dashboard   http://127.0.0.1:$PORT/
    metrics     http://127.0.0.1:$PORT/metrics
    JSON API    http://127.0.0.1:$PORT/api/v1/units
  Sample services: uw-hardened, uw-careless, uw-creeping (towards MemoryMax=96M),
  uw-flaky (fails and restarts), uw\\x2dmarkup (markup in its name and Description).
  Stop it with Ctrl-C.

MSG
}

log "booting the demo VM (the first run builds the image; under TCG the dashboard is up in"
log "about 2-4 minutes, with KVM in under one); guest console: $share/console.log"
announce &
announce_pid=$!
rc=0
UNITWATCH_VM_IMAGE=$image "$HERE/run-vm.sh" --hostfwd "$PORT:9839" "$share" "${UNITWATCH_DEMO_TIMEOUT:-86400}" || rc=$?
kill "$announce_pid" 2>/dev/null || true
wait "$announce_pid" 2>/dev/null || true
if ((rc == 130)); then
        log "stopped"
        rm -rf "$share"
        exit 0
fi
log "the VM ended with status $rc; logs kept in $share"
exit "$rc"
