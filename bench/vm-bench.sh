#!/usr/bin/env bash
# `make vm-bench`: unitwatchd against real systemd in the test guest, side by side with the
# tools people use instead, on the same transient services in the same boot (see
# vm-guest-bench.py for what is measured). The guest runs under TCG: absolute times are
# inflated 15-30x; compare ratios measured in the same run.
#
# Environment:
#   UNITWATCH_BENCH_UNITS    service counts, ascending (default "100 1000")
#   UNITWATCH_BENCH_PEERS    counts at which node_exporter and netdata run too (default: all)
#   UNITWATCH_BENCH_PERSIST  counts at which the daemon also starts once with its drift state
#                            on disk (default: the smallest count)
#   UNITWATCH_BENCH_PHASES   what runs (default "unitwatch floor scoring node_exporter netdata")
#   UNITWATCH_VM_KEEP=1      keep the share directory (guest.log, console.log, JSON)
#   UNITWATCH_VM_TIMEOUT     seconds before qemu is killed (default 3600)
# The image is the test tier's plus Debian's prometheus-node-exporter and netdata (a separate
# cached image; their services are masked, the benchmark runs their binaries itself).
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TOP=$(readlink -f "$HERE/..")
BINARY=${UNITWATCH_VM_BINARY:-$TOP/build/unitwatchd}
BENCH_COLLECT=$TOP/build/bench-collect
JSON=$TOP/build/bench.json
for f in "$BINARY" "$BENCH_COLLECT"; do
        [[ -x $f ]] || { echo "vm-bench: $f missing; run make first" >&2; exit 1; }
done

sizes=${UNITWATCH_BENCH_UNITS:-100 1000}
image=$(UNITWATCH_VM_EXTRA_PACKAGES="prometheus-node-exporter netdata" \
        "$TOP/tests/vm/build-image.sh" | tail -n 1)
share=$(mktemp -d "${TMPDIR:-/tmp}/unitwatch-vm-bench.XXXXXX")
# UNITWATCH_VM_KEEP=1 keeps the share (guest.log, console.log) for a look afterwards.
if [[ ${UNITWATCH_VM_KEEP:-0} == 1 ]]; then
        trap 'echo "vm-bench: share kept in $share" >&2' EXIT
else
        trap 'rm -rf "$share"' EXIT
fi
install -m 0755 "$BINARY" "$share/unitwatchd"
install -m 0755 "$BENCH_COLLECT" "$share/bench-collect"
install -m 0755 "$HERE/vm-guest-bench.py" "$share/vm-guest-bench.py"
printf '#!/bin/sh\nexec python3 "$(dirname "$0")/vm-guest-bench.py"\n' > "$share/guest-run.sh"
chmod 0755 "$share/guest-run.sh"
echo "$sizes" > "$share/units"
echo "${UNITWATCH_BENCH_PEERS:-$sizes}" > "$share/peers"
echo "${UNITWATCH_BENCH_PERSIST:-${sizes%% *}}" > "$share/persist"
echo "${UNITWATCH_BENCH_PHASES:-unitwatch floor scoring node_exporter netdata}" > "$share/phases"
echo "vm-bench: ${sizes// /, } services, guest log in $share/guest.log while it runs" >&2
started=$(date +%s)
UNITWATCH_VM_IMAGE=$image UNITWATCH_VM_MEM=${UNITWATCH_VM_MEM:-3072} \
        "$TOP/tests/vm/run-vm.sh" "$share" "${UNITWATCH_VM_TIMEOUT:-3600}" >"$share/run.log" 2>&1 ||
        { cat "$share/guest.log" 2>/dev/null || tail -40 "$share/run.log"; exit 1; }
sed -n '/^==== results/,$p' "$share/guest.log"
echo "(VM run: $(( $(date +%s) - started )) s)"

# The guest's figures join the host's in build/bench.json, replacing earlier VM figures.
python3 - "$JSON" "$share/bench-vm.json" <<'EOF'
import json, os, sys
path, vm = sys.argv[1], json.load(open(sys.argv[2]))
old = json.load(open(path)) if os.path.exists(path) else []
json.dump([r for r in old if r.get("where") != "vm"] + vm, open(path, "w"), indent=2)
print("results: %s (%d figures from the VM)" % (path, len(vm)))
EOF
