#!/usr/bin/env bash
# The VM test tier (`make vm-check`): build/reuse the guest image, boot it once with
# build/unitwatchd and every scenario, and report per-scenario results.
#
# Ends with a line "N passed, M failed"; exits non-zero if anything failed, including the
# VM itself (then every scenario that did not report counts as failed).
#
# Environment:
#   UNITWATCH_VM_TIMEOUT  seconds before the VM is killed (default 1200)
#   UNITWATCH_VM_BINARY   the daemon to test (default build/unitwatchd)
#   UNITWATCH_VM_KEEP     1: keep the staged share dir (logs) even when everything passed
#   UNITWATCH_VM_SUITES   run only these suites (names like "s20_daemon s30_alerts"; default
#                         every scenarios/sNN_*.py); for iterating on one suite, not for CI
#   plus those of build-image.sh and run-vm.sh (UNITWATCH_VM_CACHE, UNITWATCH_VM_ACCEL, ...)
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TOP=$(readlink -f "$HERE/../..")
BINARY=${UNITWATCH_VM_BINARY:-$TOP/build/unitwatchd}

log() {
        printf 'vm-check: %s\n' "$*" >&2
}

[[ -x $BINARY ]] || { log "error: $BINARY missing; run make first"; exit 1; }

# Step 1: the image (cached after the first build).
t0=$SECONDS
image=$("$HERE/build-image.sh" | tail -n 1)
log "image step took $((SECONDS - t0))s ($image)"

# Step 2: stage what the guest sees as /mnt/host.
share=$(mktemp -d "${TMPDIR:-/tmp}/unitwatch-vm-share.XXXXXX")
install -m 0755 "$BINARY" "$share/unitwatchd"
install -m 0755 "$HERE/guest-run.sh" "$share/guest-run.sh"
mkdir "$share/scenarios"
cp "$HERE"/scenarios/*.py "$share/scenarios/"
suites=()
for s in "$HERE"/scenarios/s[0-9][0-9]_*.py; do
        name=$(basename "$s" .py)
        if [[ -z ${UNITWATCH_VM_SUITES:-} || " $UNITWATCH_VM_SUITES " == *" $name "* ]]; then
                suites+=("$name")
        fi
done
((${#suites[@]} > 0)) || { log "error: no suite matches UNITWATCH_VM_SUITES='$UNITWATCH_VM_SUITES'"; exit 1; }
printf '%s\n' "${suites[@]}" >"$share/suites.txt"
# The daemon runs in the guest from the packaged unit, with its whole sandbox.
install -m 0644 "$HERE/../../packaging/unitwatchd.service" "$share/unitwatchd.service"
install -m 0644 "$HERE/../../packaging/unitwatch.sysusers" "$share/unitwatch.sysusers"

# The dashboard's browser tests (s40_web): the guest's daemon port forwarded to a free port
# here, and a watcher that runs the browser when the guest says it is ready.
fwd=()
web_pid=
if grep -qx s40_web "$share/suites.txt"; then
        if "$HERE/web-host.sh" prepare "$share"; then
                web_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
                fwd=(--hostfwd "$web_port:9839")
                "$HERE/web-host.sh" watch "$share" "$web_port" &
                web_pid=$!
        fi
fi

# Step 3: one boot for all scenarios.
t0=$SECONDS
vm_rc=0
UNITWATCH_VM_IMAGE=$image "$HERE/run-vm.sh" "${fwd[@]}" "$share" "${UNITWATCH_VM_TIMEOUT:-1200}" || vm_rc=$?
log "boot step took $((SECONDS - t0))s (run-vm.sh exit status $vm_rc)"
if [[ -n $web_pid ]]; then
        kill "$web_pid" 2>/dev/null || true
        wait "$web_pid" 2>/dev/null || true
fi

# Step 4: count. A scenario with no result line (guest crashed, timed out) is a failure.
passed=0
failed=0
echo
echo "== VM scenarios"
while read -r name; do
        line=$(grep -E "^(PASS|FAIL) $name(:|$)" "$share/results.txt" 2>/dev/null | head -n 1 || true)
        if [[ $line == "PASS $name" ]]; then
                echo "PASS $name"
                passed=$((passed + 1))
        else
                echo "${line:-FAIL $name: no result (VM failed, see above)}"
                failed=$((failed + 1))
        fi
done < <(for s in "${suites[@]}"; do python3 "$HERE/scenarios/$s.py" --list; done)

# The running daemon's /metrics (bus mode: unit states, restarts) through promtool here.
if command -v promtool >/dev/null && grep -qx s20_daemon "$share/suites.txt"; then
        if [[ -s $share/daemon-metrics.prom ]] &&
                out=$(promtool check metrics <"$share/daemon-metrics.prom" 2>&1) && [[ -z $out ]]; then
                echo "PASS promtool-daemon-metrics"
                passed=$((passed + 1))
        else
                echo "FAIL promtool-daemon-metrics: ${out:-no /metrics saved by the guest}"
                failed=$((failed + 1))
        fi
fi

# A failing guest-run.sh with every scenario passing is still a failure (counted once).
if ((vm_rc != 0 && failed == 0)); then
        echo "FAIL vm: run-vm.sh exited with status $vm_rc"
        failed=$((failed + 1))
fi

if ((failed > 0)) || [[ ${UNITWATCH_VM_KEEP:-0} == 1 ]]; then
        log "logs kept in $share (guest.log, console.log, results.txt)"
else
        rm -rf "$share"
fi
echo "$passed passed, $failed failed"
((failed == 0))
