#!/usr/bin/env python3
"""Load on the daemon as a process on this host (--no-bus on the host-a fixture).

wrk with many connections against /metrics (plain and gzip) and /api/v1/units for a
bounded time each: every request must succeed (no socket errors, no non-2xx answers);
requests, throughput and latency percentiles are printed. Then slow-loris clients: many
connections that send half a request and stall; a normal scrape must still be answered at
once, and the stalled connections must be cut at the request timeout.
Usage: tests/load.py BUILD/unitwatchd [SECONDS per endpoint, default 30]
Environment: LOAD_CONNECTIONS (200), LOAD_LORIS (800).
"""
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/unitwatchd"
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "200"))
LORIS = int(os.environ.get("LOAD_LORIS", "800"))
PORT = 19940
BASE = "http://127.0.0.1:%d" % PORT
REQUEST_TIMEOUT = 5
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def wrk(path, headers=()):
    cmd = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", "%ds" % SECONDS, "--latency",
           "--timeout", "5s"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [BASE + path], capture_output=True, text=True).stdout
    res = {"requests": 0, "errors": 0, "non2xx": 0, "rps": 0.0}
    m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", out)
    if m:
        res["requests"] = int(m.group(1))
        res["read"] = m.group(3)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        res["rps"] = float(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["non2xx"] = int(m.group(1))
    for p in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % p, out, re.M)
        res["p" + p] = to_ms(m.group(1)) if m else float("nan")
    res["raw"] = out
    return res


def scrape_time():
    t = time.monotonic()
    with urllib.request.urlopen(BASE + "/metrics", timeout=10) as r:
        body = r.read()
    return time.monotonic() - t, r.status, len(body)


def main():
    # The slow-loris part holds LORIS sockets here.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, LORIS + 256)), hard))
    work = tempfile.mkdtemp(prefix="unitwatch-load.")
    cfg = os.path.join(work, "config.json")
    with open(cfg, "w") as f:
        json.dump({"http": {"request_timeout": REQUEST_TIMEOUT}}, f)
    log = open(os.path.join(work, "daemon.log"), "w")
    d = subprocess.Popen([BIN, "--no-bus", "--cgroup-root", "tests/fixtures/host-a",
                          "--sysfs-root", "tests/fixtures/host-a-sysfs", "--interval", "0.2",
                          "--include", "*", "--config", cfg, "--listen", "127.0.0.1:%d" % PORT],
                         stderr=log)
    try:
        for _ in range(100):
            try:
                scrape_time()
                break
            except OSError:
                time.sleep(0.1)
        rss0 = int(open("/proc/%d/statm" % d.pid).read().split()[1]) * 4
        fds0 = len(os.listdir("/proc/%d/fd" % d.pid))
        rows = []
        for name, path, hdrs in (("/metrics", "/metrics", ()),
                                 ("/metrics gzip", "/metrics", ("Accept-Encoding: gzip",)),
                                 ("/api/v1/units", "/api/v1/units", ())):
            r = wrk(path, hdrs)
            rows.append((name, r))
            check("%s: %d requests, none failed" % (name, r["requests"]),
                  r["requests"] > 0 and r["errors"] == 0 and r["non2xx"] == 0,
                  "errors %d, non-2xx %d\n%s" % (r["errors"], r["non2xx"], r["raw"]))
        print("\n%-14s %10s %10s %9s %9s %9s %9s" % ("endpoint", "requests", "req/s", "p50 ms",
                                                    "p90 ms", "p99 ms", "failed"))
        for name, r in rows:
            print("%-14s %10d %10.0f %9.2f %9.2f %9.2f %9d" % (
                name, r["requests"], r["rps"], r["p50"], r["p90"], r["p99"],
                r["errors"] + r["non2xx"]))
        print("(%d connections, %d s each, collection every 0.2 s meanwhile)\n" % (CONNECTIONS,
                                                                                  SECONDS))

        # Slow-loris: half a request, then nothing.
        loris = []
        for _ in range(LORIS):
            s = socket.create_connection(("127.0.0.1", PORT))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            loris.append(s)
        time.sleep(0.5)
        took, status, size = scrape_time()
        check("a scrape with %d slow-loris connections open is answered at once (%.0f ms)"
              % (LORIS, took * 1000), status == 200 and took < 1.0, took)
        time.sleep(REQUEST_TIMEOUT + 1.5)
        cut = 0
        for s in loris:
            s.settimeout(0.01)
            try:
                if s.recv(1) == b"":
                    cut += 1
            except ConnectionResetError:
                cut += 1
            except OSError:
                pass
            s.close()
        check("the slow-loris connections are cut at the request timeout (%d of %d)"
              % (cut, LORIS), cut == LORIS, cut)
        took, status, _ = scrape_time()
        check("scrapes go on afterwards", status == 200, status)
        time.sleep(0.5)
        rss1 = int(open("/proc/%d/statm" % d.pid).read().split()[1]) * 4
        fds1 = len(os.listdir("/proc/%d/fd" % d.pid))
        print("daemon RSS %d -> %d KiB, fds %d -> %d" % (rss0, rss1, fds0, fds1))
        check("no fd is left behind by the load (%d -> %d)" % (fds0, fds1), fds1 <= fds0 + 2,
              (fds0, fds1))
        d.send_signal(signal.SIGTERM)
        check("the daemon stops cleanly after the load", d.wait(10) == 0)
    finally:
        if d.poll() is None:
            d.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
