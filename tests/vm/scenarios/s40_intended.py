#!/usr/bin/env python3
"""Guest-side scenarios for issue 10, intended versus effective: settings systemd ignored when
it loaded a unit, network accounting, and the terminal view.

A unit with `CpuQuota=70%`, `MemoryMAX=1G`, `ProtectSystem=strct` and a SystemCallFilter line
mixing `@system-service` with `~@debug` is reported with each of those findings at
/api/v1/units/{unit}/config and on /metrics; the corrected unit clears them after
daemon-reload. A service with IPAccounting=yes downloading a known number of bytes from a
local `python3 -m http.server` shows them as bytes in (within 10%). `unitwatchd top` runs
under tmux and shows the services (capture-pane). `--list` prints the names.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s10_collect import CheckFailed, expect, log, run  # noqa: E402
from s20_daemon import DAEMON_UNIT, PORT, RESULTS, http_get, install_daemon, wait_for  # noqa: E402

BAD_UNIT = "uw-intended.service"
BAD_PATH = "/etc/systemd/system/" + BAD_UNIT
BAD_TEXT = """[Unit]
Description=unitwatch test: settings systemd ignores

[Service]
ExecStart=/bin/sleep infinity
CpuQuota=70%
MemoryMAX=1G
ProtectSystem=strct
SystemCallFilter=@system-service ~@debug
"""
GOOD_TEXT = """[Unit]
Description=unitwatch test: the same settings, spelt right

[Service]
ExecStart=/bin/sleep infinity
CPUQuota=70%
MemoryMax=1G
ProtectSystem=strict
SystemCallFilter=@system-service
SystemCallFilter=~@debug
"""
NET_UNIT = "uw-net.service"
SRV_UNIT = "uw-http.service"
SRV_DIR = "/srv/uw-http"
SRV_PORT = 8765
# What the client downloads: big enough that headers and handshakes are far below 10%.
PAYLOAD = 8 * 1024 * 1024
WAIT = 90

CONFIG = {"listen": ["127.0.0.1:%d" % PORT], "interval": 1}


def config_doc(unit):
    status, body, _ = http_get("/api/v1/units/%s/config" % urllib.request.quote(unit, safe=""))
    return json.loads(body) if status == 200 else {"_status": status, "_body": body[:300]}


def write_unit(text):
    with open(BAD_PATH, "w") as f:
        f.write(text)
    run(["systemctl", "daemon-reload"], timeout=120)


def s_setup():
    install_daemon()
    with open("/etc/unitwatch/config.json", "w") as f:
        json.dump(CONFIG, f)
    run(["systemctl", "restart", DAEMON_UNIT], timeout=180)


def s_explore():
    """Not a check: logs what systemd 252 says about the bad unit, for the parsers' tests."""
    write_unit(BAD_TEXT)
    run(["systemctl", "start", BAD_UNIT], timeout=60)
    out = run(["journalctl", "-b", "_PID=1", "-o", "json", "--no-pager",
               "CONFIG_FILE=" + BAD_PATH], check=False)
    for line in out.splitlines():
        e = json.loads(line)
        log("EXPLORE " + json.dumps({k: v for k, v in e.items() if not k.startswith("__")}))
    log("EXPLORE show: " + run(["systemctl", "show", BAD_UNIT, "-p", "CPUQuotaPerSecUSec",
                                "-p", "MemoryMax", "-p", "ProtectSystem", "-p",
                                "SystemCallFilter", "-p", "IPIngressBytes", "-p",
                                "IPAccounting", "-p", "NeedDaemonReload"]))
    log("EXPLORE reload lines: " + run(["journalctl", "-b", "_PID=1", "-o", "json",
                                        "--no-pager", "-n", "30"], check=False)[-6000:])
    log("EXPLORE unitwatch groups: " + run(["id", "unitwatch"], check=False))


SCENARIOS = [
    ("intended-setup", s_setup),
    ("intended-explore", s_explore),
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
            ready = name != "intended-setup"
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
