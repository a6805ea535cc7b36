#!/usr/bin/env bash
# `promtool check metrics` must find nothing to say about our Prometheus output: it is run on
# a one-shot snapshot of the host-a fixture (default and --memory-stat-all) and on the golden file.
set -euo pipefail
bin=${1:-build/unitwatchd}
fail=0

check() {
        local what=$1 out
        if ! out=$(promtool check metrics 2>&1) || [ -n "$out" ]; then
                echo "FAIL promtool on $what:"
                echo "$out"
                fail=1
        else
                echo "PASS promtool on $what"
        fi
}

common=(--once --no-bus --cgroup-root tests/fixtures/host-a --sysfs-root tests/fixtures/host-a-sysfs
        --format prometheus --types service,scope,slice --log-level warning)
"$bin" "${common[@]}" | check "one-shot snapshot of host-a"
"$bin" "${common[@]}" --memory-stat-all | check "one-shot snapshot of host-a, --memory-stat-all"
check "host-a.golden.prom" < tests/fixtures/host-a.golden.prom
exit $fail
