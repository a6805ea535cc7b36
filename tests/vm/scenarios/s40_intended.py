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


JOURNAL_DROPIN_DIR = "/etc/systemd/system/%s.d" % DAEMON_UNIT
JOURNAL_DROPIN = JOURNAL_DROPIN_DIR + "/50-journal.conf"
# The four settings: line -> (key, the kind we report).
WANT = {6: ("CpuQuota", "unknown-key"), 7: ("MemoryMAX", "unknown-key"),
        8: ("ProtectSystem", "invalid-value"), 9: ("SystemCallFilter", "invalid-value")}


def findings_by_line(doc):
    return {f["line"]: f for f in doc.get("findings") or [] if f.get("file") == BAD_PATH}


def metric_lines(prefix):
    _, body, _ = http_get("/metrics")
    return [line for line in body.decode().splitlines() if line.startswith(prefix)]


def alerts(alertname, unit):
    status, body, _ = http_get("/api/v1/alerts?alertname=%s" % alertname)
    if status != 200:
        return []
    return [a for a in json.loads(body)["alerts"] if a["labels"]["unit"] == unit]


def s_setup():
    install_daemon()
    with open("/etc/unitwatch/config.json", "w") as f:
        json.dump(CONFIG, f)
    # systemd's own reasons are in the journal, which group systemd-journal may read.
    os.makedirs(JOURNAL_DROPIN_DIR, exist_ok=True)
    with open(JOURNAL_DROPIN, "w") as f:
        f.write("[Service]\nSupplementaryGroups=systemd-journal\n")
    run(["systemctl", "daemon-reload"], timeout=120)
    run(["systemctl", "restart", DAEMON_UNIT], timeout=180)


def s_findings_reported():
    write_unit(BAD_TEXT)
    run(["systemctl", "start", BAD_UNIT], timeout=60)

    def complete():
        # Every line, and in systemd's words once the journal could be read (the first check
        # of a unit may come before journald stored what PID 1 said; the next one has it).
        doc = config_doc(BAD_UNIT)
        got = findings_by_line(doc)
        if not all(line in got for line in WANT):
            return None
        if doc.get("journal") and not all(got[line]["source"] == "journal" for line in WANT):
            return None
        return doc

    doc, took = wait_for(complete, WAIT, step=0.5)
    expect(doc, "not every finding within %ds: %s" % (WAIT, json.dumps(config_doc(BAD_UNIT))))
    log("findings after %.1fs (journal readable: %s):" % (took, doc.get("journal")))
    for f in doc["findings"]:
        log("  %s:%d %s=%s [%s, %s] %s" % (f["file"], f["line"], f["key"], f["value"],
                                           f["kind"], f["source"], f["reason"]))
    got = findings_by_line(doc)
    for line, (key, kind) in WANT.items():
        f = got[line]
        expect(f["key"] == key, "line %d: key %r, want %r" % (line, f["key"], key))
        if doc.get("journal"):
            expect(f["kind"] == kind, "line %d: kind %r, want %r" % (line, f["kind"], kind))
            expect(f["source"] == "journal", "line %d: source %r" % (line, f["source"]))
        expect(f["reason"], "line %d: no reason" % line)
    expect(got[8]["value"] == "strct", "ProtectSystem value: %r" % got[8]["value"])
    expect("~@debug" in got[9]["value"], "SystemCallFilter value: %r" % got[9]["value"])
    expect("CPUQuota=" in got[6]["reason"], "no hint in %r" % got[6]["reason"])
    expect(doc.get("journal") is True, "the daemon could not read the journal "
           "(SupplementaryGroups=systemd-journal under PrivateUsers=yes?)")

    series, _ = wait_for(lambda: [l for l in metric_lines("unitwatch_unit_config_findings{")
                                  if 'unit="%s"' % BAD_UNIT in l], 30, step=0.5)
    log("metrics: %s" % series)
    expect(any('kind="unknown-key"} 2' in l for l in series or []), "metrics: %s" % series)
    expect(any('kind="invalid-value"} 2' in l for l in series or []), "metrics: %s" % series)
    fired, took = wait_for(lambda: [a for a in alerts("ConfigIgnored", BAD_UNIT)
                                    if a["state"] == "firing"], 30, step=0.5)
    expect(fired, "ConfigIgnored not firing: %s" % alerts("ConfigIgnored", BAD_UNIT))
    log("ConfigIgnored firing after %.1fs: %s" % (took, fired[0]["annotations"]["summary"]))


def s_findings_cleared():
    write_unit(GOOD_TEXT)  # and daemon-reload; the unit keeps running
    doc, took = wait_for(lambda: (lambda d: d if d.get("findings") == [] else None)(
        config_doc(BAD_UNIT)), WAIT, step=0.5)
    expect(doc, "findings not cleared within %ds: %s" % (WAIT, json.dumps(config_doc(BAD_UNIT))))
    log("findings cleared %.1fs after the fix and daemon-reload" % took)
    show = run(["systemctl", "show", BAD_UNIT, "-p", "CPUQuotaPerSecUSec", "-p", "MemoryMax",
                "-p", "ProtectSystem"])
    log("systemd now: %s" % show.replace("\n", " "))
    gone, _ = wait_for(lambda: not [l for l in metric_lines("unitwatch_unit_config_findings{")
                                    if 'unit="%s"' % BAD_UNIT in l], 30, step=0.5)
    expect(gone, "findings still on /metrics")
    resolved, _ = wait_for(lambda: [a for a in alerts("ConfigIgnored", BAD_UNIT)
                                    if a["state"] == "resolved"], 30, step=0.5)
    expect(resolved, "ConfigIgnored not resolved: %s" % alerts("ConfigIgnored", BAD_UNIT))


def s_ip_accounting():
    os.makedirs(SRV_DIR, exist_ok=True)
    with open(os.path.join(SRV_DIR, "payload"), "wb") as f:
        f.write(os.urandom(PAYLOAD))
    run(["systemd-run", "--quiet", "--unit=" + SRV_UNIT, "--", "python3", "-m", "http.server",
         str(SRV_PORT), "--bind", "127.0.0.1", "--directory", SRV_DIR])
    up, _ = wait_for(lambda: subprocess.run(
        ["python3", "-c", "import urllib.request; urllib.request.urlopen("
         "'http://127.0.0.1:%d/', timeout=2)" % SRV_PORT],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0, 60, step=0.5)
    expect(up, "the HTTP server did not come up")
    # Downloads once, says how much it got, and stays up so its counters stay readable.
    client = ("import urllib.request, time\n"
              "d = urllib.request.urlopen('http://127.0.0.1:%d/payload').read()\n"
              "open('/run/uw-net-got', 'w').write(str(len(d)))\n"
              "time.sleep(3600)\n" % SRV_PORT)
    run(["systemd-run", "--quiet", "--unit=" + NET_UNIT, "-p", "IPAccounting=yes", "--",
         "python3", "-c", client])
    got, _ = wait_for(lambda: os.path.exists("/run/uw-net-got"), 120, step=0.5)
    expect(got, "the client did not finish its download")
    sent = int(open("/run/uw-net-got").read())
    expect(sent == PAYLOAD, "the client got %d bytes, want %d" % (sent, PAYLOAD))

    def ingress():
        status, body, _ = http_get("/api/v1/units/" + NET_UNIT)
        if status != 200:
            return None
        ip = json.loads(body).get("ip") or {}
        v = ip.get("ingress_bytes")
        return ip if v is not None and v >= PAYLOAD else None

    ip, took = wait_for(ingress, 60, step=0.5)
    systemd_says = run(["systemctl", "show", "-p", "IPIngressBytes", "--value", NET_UNIT]).strip()
    expect(ip, "no ingress bytes >= %d in the API within 60s (systemd says %s): %s"
           % (PAYLOAD, systemd_says, http_get("/api/v1/units/" + NET_UNIT)[1][:600]))
    log("IP accounting after %.1fs: %s (systemd: IPIngressBytes=%s)" % (took, ip, systemd_says))
    expect(abs(ip["ingress_bytes"] - PAYLOAD) <= 0.1 * PAYLOAD,
           "ingress %d bytes is not within 10%% of the %d sent" % (ip["ingress_bytes"], PAYLOAD))
    expect(ip.get("egress_bytes", 0) > 0 and ip.get("ingress_packets", 0) > 0, "ip: %s" % ip)
    lines = metric_lines("unitwatch_ip_ingress_bytes_total{unit=\"%s\"}" % NET_UNIT)
    expect(lines, "no unitwatch_ip_ingress_bytes_total for %s" % NET_UNIT)
    log("metrics: %s" % lines)
    # A unit without IPAccounting has no series at all (absent, not zero).
    expect(not metric_lines("unitwatch_ip_ingress_bytes_total{unit=\"%s\"}" % SRV_UNIT),
           "%s has IP series without IPAccounting" % SRV_UNIT)


def tmux_capture(name, width, height, argv, settle=8):
    env = dict(os.environ, TERM="xterm-256color")
    subprocess.run(["tmux", "kill-session", "-t", name], env=env, stderr=subprocess.DEVNULL)
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y",
                    str(height)] + argv, env=env, check=True)
    time.sleep(settle)
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], env=env,
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    subprocess.run(["tmux", "send-keys", "-t", name, "q"], env=env)
    time.sleep(1)
    subprocess.run(["tmux", "kill-session", "-t", name], env=env, stderr=subprocess.DEVNULL)
    return out


def s_top_tmux():
    out = tmux_capture("uwtop", 120, 40, ["/usr/local/bin/unitwatchd", "top", "--delay", "1"])
    log("---- tmux capture-pane, 120x40 ----\n" + out.rstrip() + "\n----")
    expect("unitwatch top:" in out, "no header in the capture")
    for unit in (DAEMON_UNIT, BAD_UNIT, NET_UNIT):
        expect(unit in out, "%s not in the view" % unit)
    narrow = tmux_capture("uwtopn", 44, 15, ["/usr/local/bin/unitwatchd", "top", "--sort",
                                             "memory"])
    log("---- tmux capture-pane, 44x15, sorted by memory ----\n" + narrow.rstrip() + "\n----")
    expect(all(len(l) <= 44 for l in narrow.splitlines()), "a line wider than 44 columns")
    expect("sorted by memory" in narrow, "no sort in the narrow header")
    piped = run(["/usr/local/bin/unitwatchd", "top", "--sort", "name"], timeout=60)
    expect("\033" not in piped, "escape codes when piped")
    expect(DAEMON_UNIT in piped and piped.count("\n") >= 4, "piped output: %r" % piped[:400])
    log("piped: %d lines, first %r" % (piped.count("\n"), piped.splitlines()[:3]))
    # Without the daemon it reads the host itself.
    run(["systemctl", "stop", DAEMON_UNIT], timeout=60)
    direct = run(["/usr/local/bin/unitwatchd", "top"], timeout=120)
    run(["systemctl", "start", DAEMON_UNIT], timeout=180)
    expect("no daemon at" in direct and NET_UNIT in direct, "direct: %r" % direct[:400])
    log("direct: %r" % direct.splitlines()[:3])


SCENARIOS = [
    ("intended-setup", s_setup),
    ("config-findings-reported", s_findings_reported),
    ("config-findings-cleared-after-reload", s_findings_cleared),
    ("ip-accounting-bytes-in", s_ip_accounting),
    ("top-under-tmux", s_top_tmux),
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
