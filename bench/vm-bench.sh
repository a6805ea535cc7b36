#!/usr/bin/env bash
# `make vm-bench`: the daemon against real systemd in the test guest with many services.
# Starts N transient services (default 500, UNITWATCH_BENCH_UNITS), then unitwatchd following
# them over the bus, and measures its RSS, its CPU time per collection cycle, the time to the
# first snapshot and /metrics latency. The guest runs under TCG: absolute times are inflated
# 15-30x; compare ratios measured in the same run.
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TOP=$(readlink -f "$HERE/..")
BINARY=${UNITWATCH_VM_BINARY:-$TOP/build/unitwatchd}
[[ -x $BINARY ]] || { echo "vm-bench: $BINARY missing; run make first" >&2; exit 1; }

image=$("$TOP/tests/vm/build-image.sh" | tail -n 1)
share=$(mktemp -d "${TMPDIR:-/tmp}/unitwatch-vm-bench.XXXXXX")
trap 'rm -rf "$share"' EXIT
install -m 0755 "$BINARY" "$share/unitwatchd"
install -m 0755 "$HERE/vm-guest-bench.py" "$share/vm-guest-bench.py"
printf '#!/bin/sh\nexec python3 "$(dirname "$0")/vm-guest-bench.py"\n' > "$share/guest-run.sh"
chmod 0755 "$share/guest-run.sh"
echo "${UNITWATCH_BENCH_UNITS:-500}" > "$share/units"
UNITWATCH_VM_IMAGE=$image UNITWATCH_VM_MEM=${UNITWATCH_VM_MEM:-2048} \
        "$TOP/tests/vm/run-vm.sh" "$share" "${UNITWATCH_VM_TIMEOUT:-1200}" >"$share/run.log" 2>&1 ||
        { tail -40 "$share/run.log"; exit 1; }
sed -n '/^==== results/,$p' "$share/guest.log"
