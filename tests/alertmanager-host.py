#!/usr/bin/env python3
"""The daemon pushing to a real Alertmanager (Debian's prometheus-alertmanager) on loopback.

A cgroup tree made here holds one service near its MemoryMax. The daemon (--no-bus) fires
MemoryNearLimit and Alertmanager lists it; Alertmanager stopped: the daemon keeps collecting
and counts the failures; Alertmanager back (empty, a fresh start): the alert arrives again;
the memory goes down: the alert resolves and Alertmanager hears the end.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/unitwatchd"
AM_PORT, UW_PORT = 19893, 19871
AM = "http://127.0.0.1:%d" % AM_PORT
UW = "http://127.0.0.1:%d" % UW_PORT
MIB = 1024 * 1024

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except OSError:
        return None


def wait_for(what, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = what()
        if v:
            return v
        time.sleep(0.2)
    return None


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def am_alerts():
    text = get(AM + "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true")
    return json.loads(text) if text else None


def am_has(alertname, unit):
    alerts = am_alerts() or []
    return [a for a in alerts if a["labels"].get("alertname") == alertname
            and a["labels"].get("unit") == unit]


def metric(name, text):
    for line in (text or "").splitlines():
        if line.startswith(name):
            return float(line.rsplit(" ", 1)[1])
    return None


def main():
    work = tempfile.mkdtemp(prefix="unitwatch-am.")
    procs = []
    try:
        svc = os.path.join(work, "cg", "system.slice", "hog.service")
        os.makedirs(svc)
        write(os.path.join(work, "cg", "cgroup.controllers"), "cpu io memory pids\n")
        write(os.path.join(svc, "memory.max"), "%d\n" % (200 * MIB))
        write(os.path.join(svc, "memory.high"), "max\n")
        write(os.path.join(svc, "memory.current"), "%d\n" % (195 * MIB))
        write(os.path.join(svc, "memory.stat"), "anon %d\nfile 0\ninactive_file 0\n" % (195 * MIB))
        write(os.path.join(svc, "cgroup.events"), "populated 1\nfrozen 0\n")
        write(os.path.join(svc, "cgroup.procs"), "4242\n")

        write(os.path.join(work, "am.yml"),
              "route:\n  receiver: none\n  group_wait: 1s\nreceivers:\n  - name: none\n")
        am_cmd = ["prometheus-alertmanager", "--config.file=" + os.path.join(work, "am.yml"),
                  "--storage.path=" + os.path.join(work, "am"),
                  "--web.listen-address=127.0.0.1:%d" % AM_PORT, "--cluster.listen-address="]
        am_log = open(os.path.join(work, "am.log"), "w")
        am = subprocess.Popen(am_cmd, stdout=am_log, stderr=am_log)
        procs.append(am)
        check("alertmanager starts", wait_for(lambda: get(AM + "/-/ready")) is not None)

        write(os.path.join(work, "config.json"), json.dumps({
            "interval": 0.5,
            "alerts": {
                "host": "test-host",
                "rules": {"MemoryNearLimit": {"for": 1}},
                "alertmanager": {"urls": [AM], "resend_interval": 2, "timeout": 2},
            },
        }))
        uw_log = open(os.path.join(work, "uw.log"), "w")
        uw = subprocess.Popen([BIN, "--no-bus", "--cgroup-root", os.path.join(work, "cg"),
                               "--config", os.path.join(work, "config.json"),
                               "--listen", "127.0.0.1:%d" % UW_PORT],
                              stdout=uw_log, stderr=uw_log)
        procs.append(uw)

        # Pending first (for: 1 s), then firing, then in Alertmanager with our labels.
        firing = wait_for(lambda: [a for a in json.loads(get(UW + "/api/v1/alerts") or '{"alerts":[]}')["alerts"]
                                   if a["state"] == "firing"])
        check("MemoryNearLimit fires in /api/v1/alerts",
              firing and firing[0]["labels"] == {"alertname": "MemoryNearLimit",
                                                 "unit": "hog.service", "severity": "warning"},
              firing)
        got = wait_for(lambda: am_has("MemoryNearLimit", "hog.service"))
        check("Alertmanager lists it", bool(got), am_alerts())
        if got:
            a = got[0]
            check("with host, severity and a summary with the numbers",
                  a["labels"].get("host") == "test-host" and a["labels"]["severity"] == "warning"
                  and "195.0 MiB of 200.0 MiB" in a["annotations"]["summary"], a)
        amtool = subprocess.run(["amtool", "--alertmanager.url=" + AM, "alert", "query",
                                 "alertname=MemoryNearLimit"], capture_output=True, text=True)
        check("amtool shows it", "hog.service" in amtool.stdout, amtool.stdout + amtool.stderr)
        check("/metrics: unitwatch_alert_active",
              'unitwatch_alert_active{alertname="MemoryNearLimit",unit="hog.service",'
              'severity="warning"} 1' in (get(UW + "/metrics") or ""))

        # Alertmanager away: collection goes on, failures are counted and logged.
        am.send_signal(signal.SIGTERM)
        am.wait(timeout=10)
        t0 = metric("unitwatch_last_collection_timestamp_seconds", get(UW + "/metrics"))
        fails = wait_for(lambda: (metric("unitwatch_alertmanager_notifications_failed_total",
                                         get(UW + "/metrics")) or 0) >= 2, timeout=30)
        text = get(UW + "/metrics")
        check("failures are counted while Alertmanager is down", fails, text)
        check("collection goes on meanwhile",
              (metric("unitwatch_last_collection_timestamp_seconds", text) or 0) > (t0 or 1e18))
        check("unitwatch_alertmanager_up is 0", metric("unitwatch_alertmanager_up", text) == 0)
        uw_log.flush()
        with open(os.path.join(work, "uw.log")) as f:
            log = f.read()
        check("the failure is logged once, not per attempt",
              log.count("cannot deliver alerts to Alertmanager") == 1, log)

        # Back, with nothing stored: the firing alert arrives again at the next retry.
        shutil.rmtree(os.path.join(work, "am"), ignore_errors=True)
        am = subprocess.Popen(am_cmd, stdout=am_log, stderr=am_log)
        procs.append(am)
        check("delivered once Alertmanager is back",
              bool(wait_for(lambda: am_has("MemoryNearLimit", "hog.service"), timeout=30)))
        check("unitwatch_alertmanager_up is 1 again",
              wait_for(lambda: metric("unitwatch_alertmanager_up", get(UW + "/metrics")) == 1))

        # The cause goes: resolved here and there.
        write(os.path.join(svc, "memory.current"), "%d\n" % (50 * MIB))
        write(os.path.join(svc, "memory.stat"), "anon %d\nfile 0\ninactive_file 0\n" % (50 * MIB))
        resolved = wait_for(lambda: [a for a in json.loads(get(UW + "/api/v1/alerts?state=resolved"))["alerts"]
                                     if a["labels"]["alertname"] == "MemoryNearLimit"])
        check("resolves when the memory goes down", bool(resolved) and resolved[0]["resolved_at"])
        check("Alertmanager hears the end",
              bool(wait_for(lambda: not am_has("MemoryNearLimit", "hog.service"), timeout=30)),
              am_alerts())
        uw.send_signal(signal.SIGTERM)
        check("the daemon stops cleanly", uw.wait(timeout=15) == 0)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if failed:
            for name in ("uw.log", "am.log"):
                path = os.path.join(work, name)
                if os.path.exists(path):
                    print("---- %s" % name)
                    print(open(path).read()[-4000:])
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
