#!/usr/bin/env python3
"""Runs in the test guest (see vm-bench.sh): N transient services, then unitwatchd following
them over the bus, then its RSS, CPU per collection, time to first snapshot, /metrics latency
and scoring time against systemd-analyze security. Guest under TCG: compare ratios."""

import os
import re
import subprocess
import sys
import time
import urllib.request

SHARE = os.path.dirname(os.path.abspath(__file__))
N = int(open(os.path.join(SHARE, "units")).read())
PORT = 9839
HZ = os.sysconf("SC_CLK_TCK")
FILES = ("cgroup.events cpu.stat cpu.max cpu.weight memory.current memory.peak memory.min "
         "memory.low memory.high memory.max memory.swap.current memory.swap.max memory.events "
         "memory.stat io.stat pids.current pids.max pids.events cpu.pressure memory.pressure "
         "io.pressure").split()


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True).stdout


def get(path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (PORT, path), timeout=60) as r:
        return r.read()


def cpu_ticks(pid):
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


t0 = time.monotonic()
for i in range(1, N + 1):
    sh("systemd-run", "--quiet", "--no-block", "--unit=uwbench-%d" % i, "-p", "MemoryMax=64M",
       "sleep", "3600")
while len(sh("systemctl", "list-units", "--no-legend", "--state=active",
             "uwbench-*").splitlines()) < N:
    time.sleep(1)
print("%d services up after %.1f s" % (N, time.monotonic() - t0), flush=True)

t0 = time.monotonic()
try:
    sh("systemd-run", "--quiet", "--unit=uwd-bench", "-p", "Type=notify", "--",
       os.path.join(SHARE, "unitwatchd"), "--listen", "127.0.0.1:%d" % PORT, "--interval", "10")
except subprocess.CalledProcessError:
    print(sh("systemctl", "status", "--no-pager", "-l", "uwd-bench.service", check=False))
    print(sh("journalctl", "-u", "uwd-bench.service", "--no-pager", "-o", "short-monotonic",
             check=False))
    raise
first = time.monotonic() - t0
pid = sh("systemctl", "show", "-p", "MainPID", "--value", "uwd-bench.service").strip()

c0 = cpu_ticks(pid)
time.sleep(60)
c1 = cpu_ticks(pid)
rss = int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%s/status" % pid).read()).group(1))
metrics = get("/metrics").decode()
units = re.search(r"^unitwatch_units (\d+)", metrics, re.M).group(1)
last = re.search(r"^unitwatch_collection_duration_seconds (\S+)", metrics, re.M).group(1)

lat = []
for _ in range(50):
    t = time.monotonic()
    body = get("/metrics")
    lat.append(time.monotonic() - t)
lat.sort()

fds = []
for d in os.listdir("/sys/fs/cgroup/system.slice"):
    if d.startswith("uwbench-"):
        for f in FILES:
            try:
                fds.append(os.open("/sys/fs/cgroup/system.slice/%s/%s" % (d, f), os.O_RDONLY))
            except OSError:
                pass
runs = []
for _ in range(5):
    t = time.process_time()
    for fd in fds:
        os.pread(fd, 65536, 0)
    runs.append(time.process_time() - t)
runs.sort()

journal = sh("journalctl", "-u", "uwd-bench.service", "-o", "cat", "--no-pager")
m = re.search(r"^scored (\d+) services in ([\d.]+) ms$", journal, re.M)
t = time.monotonic()
sh("systemd-analyze", "security", "--no-pager", check=False)
analyze = time.monotonic() - t

print("==== results (%d services, guest under TCG) ====" % N)
print("units followed:                 %s" % units)
print("time to first snapshot:         %.2f s (systemd-run Type=notify until READY=1)" % first)
print("RSS after 60 s:                 %.1f MiB" % (rss / 1024))
print("CPU over 60 s (6 cycles):       %.0f ms, %.1f ms per cycle" % (
    (c1 - c0) * 1000 / HZ, (c1 - c0) * 1000 / HZ / 6))
print("last collection duration:       %s s" % last)
print("floor (python pread loop, CPU): %.1f ms for %d files (median of 5)" % (runs[2] * 1000,
                                                                             len(fds)))
print("/metrics: median %.4f s, p99 %.4f s, %d bytes" % (lat[25], lat[49], len(body)))
if m:
    print("scoring %s services: unitwatchd %s ms, systemd-analyze security %.1f s (ratio %.0fx)"
          % (m.group(1), m.group(2), analyze, analyze * 1000 / float(m.group(2))))
