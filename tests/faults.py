#!/usr/bin/env python3
"""Faults around the daemon as a process on this host (--no-bus, a copy of the host-a tree).

- cgroups vanishing mid-read: while the daemon collects every 0.1 s, one service's cgroup
  directory is removed and put back over and over, and another's files are rewritten in
  place; every scrape meanwhile is whole (valid JSON, well-formed exposition lines), the unit
  is either there with its numbers or absent, never half-read, and no collection fails.
- SIGHUP with a broken config (an unreadable token file): refused with the reason, the running
  token stays; with a good new token: the new one applies at once and the old one is refused.
- A state directory that cannot be used (below a regular file): the daemon says so and serves.
Usage: tests/faults.py BUILD/unitwatchd [SECONDS of churn, default 10]
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/unitwatchd"
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10
PORT = 19985
BASE = "http://127.0.0.1:%d" % PORT
passed = failed = 0
SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                    r'[-+0-9.eE]+(Inf)?$|^NaN$')


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def get(path, headers=None):
    req = urllib.request.Request(BASE + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_ready(timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if get("/readyz")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def remove_cgroup(path):
    """As the kernel's rmdir looks to a reader: cgroup.procs goes first, so that any file
    found missing afterwards means the whole cgroup is gone (a plain rmtree would leave a
    half-deleted directory that no cgroupfs ever shows)."""
    os.unlink(os.path.join(path, "cgroup.procs"))
    shutil.rmtree(path)


def restore_cgroup(saved, path):
    """As mkdir on cgroupfs looks: every file is there once cgroup.procs is."""
    shutil.copytree(saved, path, ignore=lambda d, names: ["cgroup.procs"] if d == saved else [])
    shutil.copy(os.path.join(saved, "cgroup.procs"), os.path.join(path, "cgroup.procs"))


def churn(tree, stop, counts):
    """Removes and restores nginx.service; rewrites cron.service's files in place."""
    victim = os.path.join(tree, "system.slice", "nginx.service")
    saved = victim + ".saved"
    shutil.copytree(victim, saved)
    cron = os.path.join(tree, "system.slice", "cron.service")
    files = {n: open(os.path.join(cron, n)).read() for n in ("memory.current", "cpu.stat")
             if os.path.exists(os.path.join(cron, n))}
    i = 0
    while not stop.is_set():
        remove_cgroup(victim)
        counts["removed"] += 1
        time.sleep(0.003 * (i % 7))
        restore_cgroup(saved, victim)
        for name, text in files.items():
            # Truncated first, then written: a reader may see it empty or half-written.
            with open(os.path.join(cron, name), "w") as f:
                f.write(text[: len(text) // 2])
                f.flush()
                f.write(text[len(text) // 2:])
        time.sleep(0.002 * (i % 5))
        i += 1


def main():
    work = tempfile.mkdtemp(prefix="unitwatch-faults.")
    tree = os.path.join(work, "tree")
    shutil.copytree("tests/fixtures/host-a", tree, symlinks=True)
    token1, token2 = "first-" + os.urandom(12).hex(), "second-" + os.urandom(12).hex()
    tok = os.path.join(work, "token")
    with open(tok, "w") as f:
        f.write(token1 + "\n")
    os.chmod(tok, 0o600)
    cfg = os.path.join(work, "config.json")
    with open(cfg, "w") as f:
        json.dump({"http": {"token_file": tok}, "interval": 0.1,
                   "units": {"include": ["*"]}}, f)
    # A state directory below a regular file cannot exist, not even for root.
    open(os.path.join(work, "afile"), "w").close()
    logp = os.path.join(work, "daemon.log")
    d = subprocess.Popen([BIN, "--no-bus", "--cgroup-root", tree, "--sysfs-root",
                          "tests/fixtures/host-a-sysfs", "--config", cfg,
                          "--state-dir", os.path.join(work, "afile", "state"),
                          "--listen", "127.0.0.1:%d" % PORT], stderr=open(logp, "w"))
    auth = {"Authorization": "Bearer " + token1}
    try:
        check("serves with an unusable state directory", wait_ready())
        stop = threading.Event()
        counts = {"removed": 0}
        t = threading.Thread(target=churn, args=(tree, stop, counts))
        t.start()
        bad, seen, scrapes = [], set(), 0
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            st, body = get("/metrics", auth)
            scrapes += 1
            if st != 200:
                bad.append("/metrics %d" % st)
            else:
                for line in body.splitlines():
                    if line and not line.startswith("#") and not SAMPLE.match(line):
                        bad.append("malformed: " + line)
                nginx = [ln for ln in body.splitlines() if 'unit="nginx.service"' in ln]
                if nginx:
                    # Present means read whole: its memory and CPU series are all there.
                    if not any(ln.startswith("unitwatch_memory_current_bytes{") for ln in nginx) \
                            or not any(ln.startswith("unitwatch_cpu_usage_seconds_total{")
                                       for ln in nginx):
                        bad.append("nginx half-read: %r" % nginx[:3])
                    seen.add("present")
                else:
                    seen.add("absent")
            st, body = get("/api/v1/units/nginx.service", auth)
            if st not in (200, 404):
                bad.append("unit %d" % st)
            else:
                json.loads(body)
            st, body = get("/api/v1/units", auth)
            if st != 200 or "units" not in json.loads(body):
                bad.append("units %d" % st)
        stop.set()
        t.join()
        check("%d scrapes while nginx.service vanished %d times: all whole" % (scrapes,
              counts["removed"]), not bad, bad[:5])
        check("the vanishing unit was seen both present and absent", seen == {"present",
                                                                              "absent"}, seen)
        time.sleep(0.5)
        st, body = get("/api/v1/units/nginx.service", auth)
        check("once back it is listed again", st == 200, st)
        log = open(logp).read()
        check("no collection failed", "collection failed" not in log,
              [ln for ln in log.splitlines() if "fail" in ln][:3])
        check("the unusable state directory is irrelevant without the bus (no error logged)",
              "<3>" not in log, [ln for ln in log.splitlines() if ln.startswith("<3>")][:3])

        # SIGHUP with the token file gone: refused, the running token stays.
        os.rename(tok, tok + ".away")
        d.send_signal(signal.SIGHUP)
        time.sleep(1)
        check("SIGHUP with a missing token file: refused and says why",
              "SIGHUP: the new configuration is invalid" in open(logp).read()
              and "cannot read the token file" in open(logp).read())
        check("... the running token still works", get("/metrics", auth)[0] == 200)
        # Token rotation: a new token in the file, SIGHUP.
        with open(tok, "w") as f:
            f.write(token2 + "\n")
        os.chmod(tok, 0o600)
        d.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        check("SIGHUP rotates the token: the new one works",
              get("/metrics", {"Authorization": "Bearer " + token2})[0] == 200)
        check("... and the old one is refused", get("/metrics", auth)[0] == 401)
        d.send_signal(signal.SIGTERM)
        check("stops cleanly", d.wait(10) == 0)
    finally:
        if d.poll() is None:
            d.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
