#!/usr/bin/env bash
# The daemon as a process on this host (no systemd here: the bus is absent, the cgroup tree is
# the host-a fixture): flags and exit codes, the no-bus log line, SIGHUP with a good and a
# broken config, SIGTERM, and socket activation through systemd-socket-activate.
set -euo pipefail
bin=${1:-build/unitwatchd}
work=$(mktemp -d /tmp/unitwatch-host.XXXXXX)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
expect() { # name, command...
        local name=$1
        shift
        if "$@"; then ok "$name"; else bad "$name"; fi
}
fixture=(--cgroup-root tests/fixtures/host-a --sysfs-root tests/fixtures/host-a-sysfs)
wait_http() {
        for _ in $(seq 50); do
                curl -sf "$1" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}
units() { curl -s "http://127.0.0.1:$1/api/v1/units" | python3 -c 'import json, sys
print(" ".join(u["unit"] for u in json.load(sys.stdin)["units"]))'; }

# Exit codes: 0 help/version/valid config, 2 bad flags or config.
expect "--version prints the version" sh -c "'$bin' --version | grep -q '^unitwatchd '"
expect "--help lists every flag" sh -c "'$bin' --help | grep -q -- '--memory-stat-all'"
set +e
"$bin" --interval 0 2>"$work/err"; rc=$?
set -e
expect "a bad flag exits 2 and says why" sh -c "[ $rc = 2 ] && grep -q 'invalid --interval' '$work/err'"
echo '{"interval": 5, "units": {"include": ["a*"]}}' >"$work/good.json"
echo '{"interval": 5, "unknown": 1}' >"$work/bad.json"
expect "--check-config accepts a valid file" "$bin" --config "$work/good.json" --check-config
set +e
"$bin" --config "$work/bad.json" --check-config 2>"$work/err"; rc=$?
set -e
expect "--check-config names the bad key and exits 2" \
        sh -c "[ $rc = 2 ] && grep -q \"unknown key 'unknown'\" '$work/err'"

# The daemon without a bus: one clear line, then it serves.
cp "$work/good.json" "$work/live.json"
"$bin" "${fixture[@]}" --config "$work/live.json" --listen 127.0.0.1:19870 --interval 0.2 \
        --include '*' 2>"$work/daemon.log" &
pid=$!
pids+=($pid)
expect "serves once started" wait_http http://127.0.0.1:19870/readyz
expect "says the bus is unavailable and what it does" \
        grep -q "system bus unavailable.*discovered from the cgroup tree" "$work/daemon.log"
expect "flags override the config file (--include '*' over 'a*')" \
        sh -c "[ \$(curl -s http://127.0.0.1:19870/api/v1/units | grep -o '\"unit\"' | wc -l) = 12 ]"

# Collections keep coming at the interval (0.2 s here), not just once.
t1=$(curl -s http://127.0.0.1:19870/metrics | awk '/^unitwatch_last_collection_timestamp_seconds /{print $2}')
sleep 1
t2=$(curl -s http://127.0.0.1:19870/metrics | awk '/^unitwatch_last_collection_timestamp_seconds /{print $2}')
expect "collects again at every interval" \
        python3 -c "import sys; sys.exit(0 if float('$t2') - float('$t1') >= 0.5 else 1)"

# `unitwatchd top` piped: one snapshot from the daemon's API, no escape codes, sorted.
"$bin" top --url http://127.0.0.1:19870 --sort memory >"$work/top.txt" 2>&1 || true
expect "top piped: one snapshot of the daemon's 12 services" \
        sh -c "grep -q '^unitwatch top: 12 services.*127.0.0.1:19870, sorted by memory' '$work/top.txt' \
               && [ \$(grep -c '\\.service ' '$work/top.txt') = 12 ]"
expect "top piped: no escape codes" sh -c "! grep -q \"\$(printf '\\033')\" '$work/top.txt'"
expect "top --sort memory: the biggest first (postgresql, 1.0G of 2.0G)" \
        sh -c "sed -n 3p '$work/top.txt' | grep -q '^postgresql@15-main.service .* 1.0G .*2.0G  50%'"
"$bin" top --url http://127.0.0.1:19879 --cgroup-root tests/fixtures/host-a >"$work/top2.txt" \
        2>&1 || true
expect "top without a daemon reads the host (here the fixture tree)" \
        grep -q "no daemon at http://127.0.0.1:19879" "$work/top2.txt"
set +e
"$bin" top --sort size >/dev/null 2>"$work/err"; rc=$?
set -e
expect "top: an unknown sort key exits 2 and names the keys" \
        sh -c "[ $rc = 2 ] && grep -q 'cpu, memory, io' '$work/err'"

# SIGHUP: a good config applies, a broken one is refused with its reason, the old one stays.
echo '{"interval": 0.2, "units": {"exclude": ["n*", "s*"]}}' >"$work/live.json"
kill -HUP "$pid"
sleep 1
expect "SIGHUP applies a new exclude list" sh -c "! echo '$(units 19870)' | grep -q nginx"
echo '{"interval": "fast"}' >"$work/live.json"
kill -HUP "$pid"
sleep 1
expect "SIGHUP refuses a broken config and says why" \
        grep -q "SIGHUP: the new configuration is invalid.*'interval' must be a number" \
        "$work/daemon.log"
expect "the running config stays after a broken reload" \
        sh -c "u='$(units 19870)'; echo \"\$u\" | grep -q cron && ! echo \"\$u\" | grep -q nginx"
kill -TERM "$pid"
set +e
wait "$pid"; rc=$?
set -e
expect "SIGTERM stops it cleanly (exit 0)" [ "$rc" = 0 ]

# Socket activation: the socket systemd passes replaces --listen.
if command -v systemd-socket-activate >/dev/null; then
        systemd-socket-activate -l 127.0.0.1:19871 "$bin" "${fixture[@]}" \
                --listen 127.0.0.1:19872 2>"$work/sa.log" &
        pids+=($!)
        sleep 0.5
        expect "socket activation: serves on the passed socket" wait_http \
                http://127.0.0.1:19871/metrics
        expect "socket activation: --listen is not used" \
                sh -c "! curl -sf http://127.0.0.1:19872/metrics >/dev/null"
fi
# A bus without systemd on it (a container's own dbus): fall back to the cgroup tree.
if command -v dbus-daemon >/dev/null; then
        dbus-daemon --session --fork --print-pid=1 --address="unix:path=$work/bus" >"$work/bus.pid"
        pids+=($(cat "$work/bus.pid"))
        "$bin" "${fixture[@]}" --bus "unix:path=$work/bus" --listen 127.0.0.1:19873 \
                2>"$work/nobus.log" &
        pids+=($!)
        expect "a bus without systemd: serves from the cgroup tree" wait_http \
                http://127.0.0.1:19873/readyz
        expect "a bus without systemd: says so" grep -q "systemd is not on the bus" "$work/nobus.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
