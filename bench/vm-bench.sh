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
#   UNITWATCH_BENCH_PHASES   what runs (default "unitwatch floor scoring node_exporter netdata";
#                            "rssdiag" adds RSS with one malloc arena, without scorer, without bus)
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

# The guest's figures join the host's in build/bench.json, replacing earlier VM figures, with
# the ratios peer / unitwatch computed from them.
python3 - "$JSON" "$share/bench-vm.json" <<'EOF'
import json, os, sys
path, vm = sys.argv[1], json.load(open(sys.argv[2]))
fig = {(r["tool"], r["units"], r["metric"]): r["value"] for r in vm}
RATIOS = (  # name, numerator, denominator, what
    ("node_exporter_cpu_per_scrape_vs_unitwatch_cycle", ("node_exporter", "cpu_per_scrape_ms"),
     ("unitwatch", "cpu_per_cycle_ms"), "CPU: a node_exporter scrape / a unitwatch cycle"),
    ("node_exporter_scrape_vs_unitwatch_metrics", ("node_exporter", "scrape_median_ms"),
     ("unitwatch", "metrics_gzip_median_ms"), "latency: node_exporter scrape / unitwatch /metrics"),
    ("node_exporter_rss_vs_unitwatch", ("node_exporter", "rss_kib"), ("unitwatch", "rss_kib"),
     "RSS: node_exporter / unitwatch"),
    ("netdata_cpu_per_second_vs_unitwatch", ("netdata", "cpu_per_second_ms"),
     ("unitwatch", "cpu_per_second_ms"), "CPU per second, default intervals: netdata / unitwatch"),
    ("netdata_cpu_per_update_vs_unitwatch_cycle", ("netdata", "cpu_per_second_ms"),
     ("unitwatch", "cpu_per_cycle_ms"), "CPU per refresh: netdata (1 s) / unitwatch (10 s)"),
    ("netdata_rss_vs_unitwatch", ("netdata", "rss_kib"), ("unitwatch", "rss_kib"),
     "RSS: netdata / unitwatch"),
    ("systemd_analyze_vs_unitwatch_scoring", ("systemd-analyze", "security_per_service_ms"),
     ("unitwatch", "scoring_per_service_ms"), "scoring per service: systemd-analyze / daemon"),
    ("systemd_analyze_vs_unitwatch_security_cli", ("systemd-analyze", "security_s"),
     ("unitwatch", "security_cli_s"), "all services: systemd-analyze / unitwatchd security"),
)
for (tool, n, metric), v in list(fig.items()):
    if tool == "unitwatch" and metric == "cpu_per_cycle_ms":
        fig[("unitwatch", n, "cpu_per_second_ms")] = v / 10  # the 10 s interval
out = []
print("\nratios, peer / unitwatch, same guest and run (> 1: unitwatch is cheaper or faster)")
for n in sorted({r["units"] for r in vm}):
    for name, (t1, m1), (t2, m2), what in RATIOS:
        a, b = fig.get((t1, n, m1)), fig.get((t2, n, m2))
        if a is None or not b:
            continue
        print("%6d  %-56s %8.1fx" % (n, what, a / b))
        out.append({"tool": "ratio", "units": n, "metric": name, "value": a / b,
                    "unit_of_measure": "x", "where": "vm"})
old = json.load(open(path)) if os.path.exists(path) else []
json.dump([r for r in old if r.get("where") != "vm"] + vm + out, open(path, "w"), indent=2)
print("results: %s (%d figures from the VM)" % (path, len(vm) + len(out)))
EOF
