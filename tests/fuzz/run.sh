#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (FUZZ_SECONDS, default 60), seeded from the
# fixtures and from tests/fuzz/regressions/TARGET/ (inputs that once crashed: each must pass
# first). Prints each target's executions; fails when a target finds a crash, which it leaves
# as build/fuzz/artifacts/TARGET-crash-* (add it to tests/fuzz/regressions/TARGET/ once fixed).
# Usage: tests/fuzz/run.sh BUILD_DIR TARGET...
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR TARGET...}
shift
seconds=${FUZZ_SECONDS:-60}
top=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../..
cd "$top"
mkdir -p "$build/fuzz/artifacts"

# Seeds: the fixture files of each format, the shipped config, tests/fuzz/seeds/.
seed() { # seed TARGET FILES...
        local dir=$build/fuzz/corpus/$1
        shift
        mkdir -p "$dir"
        local f
        for f in "$@"; do
                [ -f "$f" ] && cp "$f" "$dir/seed-$(echo "$f" | md5sum | cut -c1-12)"
        done
        return 0
}
fixtures=(tests/fixtures/host-a ../shared/cases)
files() { find "${fixtures[@]}" -name "$1" -type f 2>/dev/null | head -40; }
seed fuzz-cg-u64 $(files memory.max) $(files pids.current) $(files memory.current)
seed fuzz-cg-cpu-max $(files cpu.max)
seed fuzz-cg-flat-keyed $(files cpu.stat) $(files memory.stat) $(files memory.events) \
        $(files cgroup.events)
seed fuzz-cg-io-stat $(files io.stat)
seed fuzz-cg-psi $(files cpu.pressure) $(files memory.pressure) $(files io.pressure)
seed fuzz-config packaging/config.json
# Hand-written seeds: tests/fuzz/seeds/TARGET/.
for d in tests/fuzz/seeds/*/; do
        seed "$(basename "$d")" "$d"*
done

status=0
summary=()
for t in "$@"; do
        bin=$build/fuzz/$t
        regress=tests/fuzz/regressions/$t
        # Inputs that crashed once: run each alone first.
        if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
                if ! "$bin" "$regress"/* >"$build/fuzz/$t.regress.log" 2>&1; then
                        echo "FAIL $t: a regression input crashes again" \
                                "(see $build/fuzz/$t.regress.log)"
                        status=1
                        continue
                fi
                seed "$t" "$regress"/*
        fi
        log=$build/fuzz/$t.log
        set +e
        "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
                -artifact_prefix="$build/fuzz/artifacts/$t-" "$build/fuzz/corpus/$t" >"$log" 2>&1
        rc=$?
        set -e
        execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        if [ "$rc" != 0 ]; then
                echo "FAIL $t: crashed after ${execs:-?} executions;" \
                        "see $log and $build/fuzz/artifacts/"
                grep -m3 -E 'ERROR|runtime error|Assertion' "$log" || true
                status=1
        fi
        summary+=("$(printf '%-22s %12s executions in %ss, coverage %s' "$t" "${execs:-?}" \
                "$seconds" "${cov:-?}")")
done
printf '%s\n' "${summary[@]}"
exit $status
