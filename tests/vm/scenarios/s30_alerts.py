#!/usr/bin/env python3
"""Guest-side scenarios for alerting: the daemon from the packaged unit, its built-in rules on
real services, and a real Alertmanager (Debian's prometheus-alertmanager, as a transient
service on 127.0.0.1:9093 without clustering: the guest has no network for it) receiving what
it pushes.

A service allocating towards its MemoryMax fires MemoryNearLimit, then OOMKilled when the
kernel kills it; a CPU-bound service under CPUQuota=20% fires CPUThrottled; a drop-in that
weakens a sandbox fires HardeningRegression; each resolves when its cause goes. Alertmanager
lists each one. With Alertmanager stopped while an alert fires, the daemon keeps collecting,
counts the failures, and delivers once Alertmanager is back. `--list` prints the names.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s10_collect import CheckFailed, expect, log, run, start_transient  # noqa: E402
from s20_daemon import DAEMON_UNIT, PORT, RESULTS, http_get, install_daemon, wait_for  # noqa: E402

AM = "http://127.0.0.1:9093"
AM_UNIT = "uw-alertmanager.service"
AM_CONFIG = "/etc/prometheus/uw-alertmanager.yml"
MEM_UNIT = "uw-alert-mem.service"
CPU_UNIT = "uw-alert-cpu.service"
HARD_UNIT = "uw-alert-hard.service"
HARD_DROPIN = "/etc/systemd/system/%s.d/50-weaken.conf" % HARD_UNIT
# Generous: the guest runs under TCG.
WAIT = 90

# The rules as an operator would tune them for a test host: short `for`s and windows, and the
# test services' thresholds as per-unit overrides.
CONFIG = {
    "listen": ["127.0.0.1:%d" % PORT],
    "interval": 1,
    "alerts": {
        "host": "guest",
        "rules": {
            "OOMKilled": {"keep_firing_for": 20},
        },
        "overrides": [
            {"units": "uw-alert-mem*", "rule": "MemoryNearLimit", "threshold": 0.75,
             "clear": 0.7, "for": 2},
            {"units": "uw-alert-cpu*", "rule": "CPUThrottled", "for": 0, "window": 10},
        ],
        "alertmanager": {"urls": [AM], "resend_interval": 3, "timeout": 2},
    },
}


def alerts(query=""):
    status, body, _ = http_get("/api/v1/alerts" + query)
    return json.loads(body)["alerts"] if status == 200 else []


def alert_in(alertname, unit, state):
    return [a for a in alerts() if a["labels"]["alertname"] == alertname
            and a["labels"]["unit"] == unit and a["state"] == state]


def wait_alert(alertname, unit, state, timeout=WAIT):
    got, took = wait_for(lambda: alert_in(alertname, unit, state), timeout, step=0.3)
    expect(got, "%s for %s not %s within %.0fs; alerts: %s"
           % (alertname, unit, state, took, json.dumps(alerts())[:1500]))
    log("%s %s for %s after %.1fs: %s" % (alertname, state, unit, took,
                                           got[0]["annotations"]["summary"]))
    return got[0]


def am_alerts():
    try:
        with urllib.request.urlopen(AM + "/api/v2/alerts", timeout=5) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def am_has(alertname, unit):
    return [a for a in am_alerts() or [] if a["labels"].get("alertname") == alertname
            and a["labels"].get("unit") == unit]


def wait_am(alertname, unit, timeout=WAIT):
    got, took = wait_for(lambda: am_has(alertname, unit), timeout, step=0.5)
    expect(got, "Alertmanager does not list %s for %s after %.0fs: %s"
           % (alertname, unit, took, json.dumps(am_alerts())[:1500]))
    labels = got[0]["labels"]
    expect(labels.get("host") == "guest" and labels.get("severity"),
           "labels in Alertmanager: %s" % labels)
    log("Alertmanager lists %s for %s (%.1fs)" % (alertname, unit, took))


def metric(name):
    _, body, _ = http_get("/metrics")
    m = re.search(r"^%s(?:\{[^}]*\})? (\S+)$" % re.escape(name), body.decode(), re.M)
    return float(m.group(1)) if m else None


def start_alertmanager():
    """A fresh Alertmanager: no alerts stored, as after a restart."""
    run(["rm", "-rf", "/var/lib/uw-alertmanager"])
    start_transient(AM_UNIT[:-len(".service")],
                    ["/usr/bin/prometheus-alertmanager", "--config.file=" + AM_CONFIG,
                     "--storage.path=/var/lib/uw-alertmanager",
                     "--web.listen-address=127.0.0.1:9093", "--cluster.listen-address="])
    ready, took = wait_for(lambda: am_alerts() is not None, 90, step=0.5)
    expect(ready is not None, "Alertmanager did not answer on %s: %s"
           % (AM, run(["journalctl", "-u", AM_UNIT, "--no-pager"], check=False)[-1500:]))
    log("Alertmanager ready after %.1fs" % took)


def s_setup():
    install_daemon()
    with open("/etc/unitwatch/config.json", "w") as f:
        json.dump(CONFIG, f)
    os.makedirs(os.path.dirname(AM_CONFIG), exist_ok=True)
    with open(AM_CONFIG, "w") as f:
        f.write("route:\n  receiver: log\n  group_wait: 1s\nreceivers:\n  - name: log\n")
    start_alertmanager()
    run(["systemctl", "restart", DAEMON_UNIT], timeout=180)
    status, _, _ = http_get("/api/v1/alerts")
    expect(status == 200, "/api/v1/alerts answers %d" % status)


MEM_SCRIPT = r"""
import time
hog = []
for _ in range(50):
    hog.append(bytearray(1 << 20))
    time.sleep(0.02)
time.sleep(15)
while True:
    hog.append(bytearray(1 << 20))
"""


def s_memory_then_oom():
    start_transient(MEM_UNIT[:-len(".service")], ["python3", "-c", MEM_SCRIPT],
                    ["MemoryMax=64M", "MemorySwapMax=0"])
    wait_alert("MemoryNearLimit", MEM_UNIT, "firing")
    wait_am("MemoryNearLimit", MEM_UNIT)
    oom = wait_alert("OOMKilled", MEM_UNIT, "firing")
    expect(oom["labels"]["severity"] == "critical", "OOMKilled severity: %s" % oom["labels"])
    wait_am("OOMKilled", MEM_UNIT)
    # The cause goes with the killed process: near-limit resolves now, the kill after 20 s.
    wait_alert("MemoryNearLimit", MEM_UNIT, "resolved")
    wait_alert("OOMKilled", MEM_UNIT, "resolved")
    run(["systemctl", "reset-failed", MEM_UNIT], check=False)


def s_cpu_throttled():
    start_transient(CPU_UNIT[:-len(".service")], ["python3", "-c", "while True: pass"],
                    ["CPUQuota=20%"])
    a = wait_alert("CPUThrottled", CPU_UNIT, "firing")
    expect(a["value"] >= 0.25, "throttled share %s" % a["value"])
    wait_am("CPUThrottled", CPU_UNIT)


def s_alertmanager_away():
    """CPUThrottled keeps firing while Alertmanager is stopped and started again."""
    before = metric("unitwatch_alertmanager_notifications_failed_total") or 0
    run(["systemctl", "stop", AM_UNIT], timeout=60)
    t0 = metric("unitwatch_last_collection_timestamp_seconds")
    failed, took = wait_for(
        lambda: (metric("unitwatch_alertmanager_notifications_failed_total") or 0) > before, 60,
        step=0.5)
    expect(failed, "no failed delivery counted in %.0fs" % took)
    expect(metric("unitwatch_alertmanager_up") == 0, "unitwatch_alertmanager_up is not 0")
    later, _ = wait_for(lambda: (metric("unitwatch_last_collection_timestamp_seconds") or 0)
                        > (t0 or 0) + 2, 30, step=0.5)
    expect(later, "collection stopped while Alertmanager was away")
    log("failures counted: %s" % metric("unitwatch_alertmanager_notifications_failed_total"))
    start_alertmanager()
    # A fresh Alertmanager knows no alerts: ours arrive with the next retry.
    wait_am("CPUThrottled", CPU_UNIT)
    up, _ = wait_for(lambda: metric("unitwatch_alertmanager_up") == 1, 30, step=0.5)
    expect(up, "unitwatch_alertmanager_up did not come back to 1")


def s_cpu_resolves():
    run(["systemctl", "stop", CPU_UNIT], timeout=60)
    wait_alert("CPUThrottled", CPU_UNIT, "resolved")


def baseline(unit):
    """The unit's baseline exposure once the scoring thread has scored it."""
    _, body, _ = http_get("/metrics")
    m = re.search(r'^unitwatch_hardening_baseline_exposure\{unit="%s"\} (\S+)$'
                  % re.escape(unit), body.decode(), re.M)
    return m.group(1) if m else None


def s_hardening_regression():
    with open("/etc/systemd/system/" + HARD_UNIT, "w") as f:
        f.write("[Service]\nExecStart=/bin/sleep infinity\nProtectSystem=full\n"
                "ProtectHome=yes\nPrivateTmp=yes\nNoNewPrivileges=yes\n")
    run(["systemctl", "daemon-reload"], timeout=120)
    run(["systemctl", "start", HARD_UNIT], timeout=60)
    base, _ = wait_for(lambda: baseline(HARD_UNIT), WAIT, step=0.5)
    expect(base, "%s never scored" % HARD_UNIT)
    os.makedirs(os.path.dirname(HARD_DROPIN), exist_ok=True)
    with open(HARD_DROPIN, "w") as f:
        f.write("[Service]\nProtectSystem=no\n")
    run(["systemctl", "daemon-reload"], timeout=120)
    a = wait_alert("HardeningRegression", HARD_UNIT, "firing")
    log("baseline %s, now %s" % (base, a["value"]))
    wait_am("HardeningRegression", HARD_UNIT)
    os.unlink(HARD_DROPIN)
    run(["systemctl", "daemon-reload"], timeout=120)
    wait_alert("HardeningRegression", HARD_UNIT, "resolved")
    run(["systemctl", "stop", HARD_UNIT], check=False)


def s_alert_metrics_and_journal():
    _, body, _ = http_get("/metrics")
    text = body.decode()
    expect(re.search(r'^unitwatch_alerts\{state="resolved"\} [1-9]', text, re.M),
           "unitwatch_alerts by state")
    journal = run(["journalctl", "-u", DAEMON_UNIT, "--no-pager", "-o", "json",
                   "ALERTNAME=HardeningRegression"], check=False)
    states = {json.loads(line).get("ALERT_STATE") for line in journal.splitlines() if line}
    expect({"firing", "resolved"} <= states, "journal fields ALERT_STATE: %s" % states)


SCENARIOS = [
    ("alerts-setup", s_setup),
    ("alert-memory-near-limit-then-oom", s_memory_then_oom),
    ("alert-cpu-throttled", s_cpu_throttled),
    ("alert-alertmanager-away-and-back", s_alertmanager_away),
    ("alert-cpu-throttled-resolves", s_cpu_resolves),
    ("alert-hardening-regression", s_hardening_regression),
    ("alert-metrics-and-journal-fields", s_alert_metrics_and_journal),
]


def main():
    if sys.argv[1:] == ["--list"]:
        for name, _ in SCENARIOS:
            print(name)
        return 0
    lines = []
    ready = True
    for name, fn in SCENARIOS:
        if not ready:
            lines.append("FAIL %s: the set-up failed" % name)
            continue
        try:
            fn()
            lines.append("PASS %s" % name)
        except (CheckFailed, subprocess.SubprocessError, OSError, ValueError, KeyError,
                TypeError, AttributeError) as e:
            lines.append("FAIL %s: %s" % (name, e))
            ready = name != "alerts-setup"
        log(lines[-1])
    if not all(line.startswith("PASS") for line in lines):
        log("---- journal of %s ----" % DAEMON_UNIT)
        log(run(["journalctl", "-u", DAEMON_UNIT, "--no-pager", "-o", "short-monotonic"],
                check=False)[-6000:])
    with open(RESULTS, "a") as f:
        f.write("\n".join(lines) + "\n")
    return 0 if all(line.startswith("PASS") for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
