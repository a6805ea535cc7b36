#!/usr/bin/env bash
# Runs in the test guest (see vm-bench.sh): N services, then unitwatchd, then measurements.
set -euo pipefail
SHARE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
N=$(cat "$SHARE/units")
PORT=9839
hz=$(getconf CLK_TCK)

echo "starting $N transient services"
t0=$(date +%s.%N)
for i in $(seq 1 "$N"); do
        systemd-run --quiet --no-block --unit="uwbench-$i" -p MemoryMax=64M sleep 3600
done
while [ "$(systemctl list-units --no-legend --state=active 'uwbench-*' | wc -l)" -lt "$N" ]; do
        sleep 1
done
echo "services up after $(echo "$(date +%s.%N) - $t0" | bc) s"

t0=$(date +%s.%N)
systemd-run --quiet --unit=uwd-bench -p Type=notify -- "$SHARE/unitwatchd" \
        --listen 127.0.0.1:$PORT --interval 10 --log-level info
first=$(echo "$(date +%s.%N) - $t0" | bc)
pid=$(systemctl show -p MainPID --value uwd-bench.service)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
cycles() { curl -s http://127.0.0.1:$PORT/metrics | awk '/^unitwatch_collection_duration_seconds /{print $2}'; }

# Idle CPU over 6 cycles (60 s): everything the daemon does, divided by the cycles.
c0=$(cpu_ticks)
sleep 60
c1=$(cpu_ticks)
rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status")
units=$(curl -s http://127.0.0.1:$PORT/metrics | awk '/^unitwatch_units /{print $2}')
last=$(cycles)

# /metrics latency, 50 sequential requests.
lat=$(for i in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:$PORT/metrics; done | sort -n)
p50=$(echo "$lat" | sed -n '25p')
p99=$(echo "$lat" | tail -n 1)
size=$(curl -s http://127.0.0.1:$PORT/metrics | wc -c)

# The same cgroup files read raw in a tight loop: the floor of this design.
floor=$(python3 - <<PY
import glob, time
files = [f for d in glob.glob("/sys/fs/cgroup/system.slice/uwbench-*.service")
         for f in glob.glob(d + "/*") if f.rsplit("/", 1)[1] in (
    "cgroup.events cpu.stat cpu.max cpu.weight memory.current memory.peak memory.min memory.low "
    "memory.high memory.max memory.swap.current memory.swap.max memory.events memory.stat io.stat "
    "pids.current pids.max pids.events cpu.pressure memory.pressure io.pressure").split()]
fds = []
import os
for f in files:
    try:
        fds.append(os.open(f, os.O_RDONLY))
    except OSError:
        pass
runs = []
for _ in range(5):
    t = time.process_time()
    for fd in fds:
        os.pread(fd, 65536, 0)
    runs.append(time.process_time() - t)
runs.sort()
print("%.1f" % (runs[2] * 1000))
PY
)

# Scoring every service: unitwatchd's first pass against systemd-analyze security.
ours_ms=$(journalctl -u uwd-bench.service -o cat --no-pager | sed -n 's/^scored \([0-9]*\) services in \([0-9.]*\) ms$/\2/p' | head -n 1)
ours_n=$(journalctl -u uwd-bench.service -o cat --no-pager | sed -n 's/^scored \([0-9]*\) services in .*/\1/p' | head -n 1)
t0=$(date +%s.%N)
systemd-analyze security --no-pager >/dev/null 2>&1 || true
analyze_s=$(echo "$(date +%s.%N) - $t0" | bc)

echo "==== results ($N services, guest under TCG) ===="
echo "units followed:                 $units"
echo "time to first snapshot:         ${first} s (systemd-run Type=notify until READY=1)"
echo "RSS after 60 s:                 $((rss / 1024)) MiB ($rss KiB)"
echo "CPU over 60 s (6 cycles):       $(( (c1 - c0) * 1000 / hz )) ms, $(( (c1 - c0) * 1000 / hz / 6 )) ms per cycle"
echo "last collection duration:       $last s"
echo "floor (python pread loop, CPU): $floor ms for the same files"
echo "/metrics: median ${p50} s, max of 50 ${p99} s, ${size} bytes"
echo "scoring ${ours_n} services: unitwatchd ${ours_ms} ms, systemd-analyze security ${analyze_s} s"
