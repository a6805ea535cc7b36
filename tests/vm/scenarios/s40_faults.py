#!/usr/bin/env python3
"""Guest-side fault scenarios for the running daemon (the packaged unit, with the bus and
its scores): the state directory full, then read-only.

/var/lib/unitwatch becomes a small tmpfs of its own. Full: a filler file takes the last byte,
a drop-in weakens a service's sandbox; the drift event is still served (kept in memory), the
journal says why it is not on disk, collection goes on; once space is back the next event is
written. Read-only: the file system is remounted read-only and the daemon restarted; it says
its state is kept in memory only, becomes ready, scores and serves drift. `--list` prints the
scenario names.
"""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s10_collect import CheckFailed, expect, log, run  # noqa: E402
from s20_daemon import (DAEMON_UNIT, PORT, RESULTS, http_get, install_daemon,  # noqa: E402
                        start_daemon, wait_for)

STATE = "/var/lib/unitwatch"
UNIT = "uw-fault-drift.service"
DROPIN = "/etc/systemd/system/%s.d/50-weaken.conf" % UNIT
FILLER = os.path.join(STATE, "filler")
WAIT = 90


def journal_since(cursor_time):
    return run(["journalctl", "-u", DAEMON_UNIT, "--no-pager", "-o", "cat",
                "--since", cursor_time], check=False)


def now_stamp():
    return time.strftime("%Y-%m-%d %H:%M:%S")


def drift_events():
    status, body, _ = http_get("/api/v1/drift?unit=" + UNIT)
    return json.loads(body)["events"] if status == 200 else []


def last_collection():
    m = re.search(r"^unitwatch_last_collection_timestamp_seconds (\S+)$",
                  http_get("/metrics")[1].decode(), re.M)
    return float(m.group(1)) if m else 0.0


def collection_goes_on(what):
    t1 = last_collection()
    later, _ = wait_for(lambda: last_collection() > t1 + 1.5, 30, 0.5)
    expect(later, "%s: no new collection within 30 s" % what)


def weaken(on):
    if on:
        os.makedirs(os.path.dirname(DROPIN), exist_ok=True)
        with open(DROPIN, "w") as f:
            f.write("[Service]\nPrivateTmp=no\n")
    elif os.path.exists(DROPIN):
        os.remove(DROPIN)
    run(["systemctl", "daemon-reload"], timeout=120)


def wait_more_events(n):
    """Waits until the API lists more than n events of the unit; returns the count."""
    got, took = wait_for(lambda: len(drift_events()) > n and len(drift_events()), WAIT, 0.2)
    expect(got, "no new drift event of %s in /api/v1/drift within %ds" % (UNIT, WAIT))
    return got


def s_setup():
    install_daemon()
    with open("/etc/unitwatch/config.json", "w") as f:
        json.dump({"listen": ["127.0.0.1:%d" % PORT], "interval": 1}, f)
    with open("/etc/systemd/system/" + UNIT, "w") as f:
        f.write("[Service]\nExecStart=/bin/sleep 3600\nPrivateTmp=yes\nProtectSystem=full\n")
    run(["systemctl", "stop", DAEMON_UNIT], timeout=120, check=False)
    uid = run(["id", "-u", "unitwatch"]).strip()
    gid = run(["id", "-g", "unitwatch"]).strip()
    os.makedirs(STATE, exist_ok=True)
    run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700,uid=%s,gid=%s" % (uid, gid),
         "uw-state", STATE])
    run(["systemctl", "daemon-reload"], timeout=120)
    run(["systemctl", "start", UNIT], timeout=120)
    start_daemon()
    score, _ = wait_for(lambda: re.search(r'^unitwatch_hardening_exposure\{unit="%s"\} '
                                          % re.escape(UNIT),
                                          http_get("/metrics")[1].decode(), re.M), WAIT, 0.5)
    expect(score, "no score for %s" % UNIT)
    expect(os.path.exists(os.path.join(STATE, "baselines.json")), "no baselines.json written")


def s_state_full():
    since = now_stamp()
    # Fill every last byte, as the daemon's user could not.
    fd = os.open(FILLER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for chunk in (65536, 1):
        try:
            while os.write(fd, b"\0" * chunk) > 0:
                pass
        except OSError:
            pass
    os.close(fd)
    # The journal's last page may hold a few more events: weaken and restore until one
    # does not fit. Every event is served all the same.
    n = len(drift_events())
    full = False
    for i in range(12):
        weaken(i % 2 == 0)
        n = wait_more_events(n)
        time.sleep(0.5)
        if "No space left on device" in journal_since(since):
            full = True
            break
    expect(full, "the journal does not say the disk is full after %d events" % (i + 1))
    line = [ln for ln in journal_since(since).splitlines() if "No space" in ln]
    log("journal after %d events: %s" % (i + 1, line[0]))
    collection_goes_on("disk full")
    expect(http_get("/readyz")[0] == 200, "/readyz with a full state directory")

    os.remove(FILLER)
    since = now_stamp()
    weaken(not os.path.exists(DROPIN))
    n = wait_more_events(n)
    again, _ = wait_for(lambda: "works again" in journal_since(since), 30, 0.5)
    expect(again, "the journal does not say writing works again")
    # The tmpfs is this scenario's own: what drift.jsonl holds happened here.
    newest = drift_events()[0]

    def on_disk():
        with open(os.path.join(STATE, "drift.jsonl")) as f:
            lines = [json.loads(x) for x in f.read().splitlines()[1:] if x]
        return [e for e in lines if e["check"] == newest["check"]
                and e["kind"] == newest["kind"]] or None

    found, _ = wait_for(on_disk, 10, 0.5)
    with open(os.path.join(STATE, "drift.jsonl")) as f:
        expect(found, "the event after the disk freed up (%s %s) is not on disk: %s"
               % (newest["check"], newest["kind"], f.read()[-600:]))
    weaken(False)


def s_state_read_only():
    run(["systemctl", "stop", DAEMON_UNIT], timeout=120)
    run(["mount", "-o", "remount,ro", STATE])
    since = now_stamp()
    start_daemon()
    text = journal_since(since)
    expect("Read-only file system" in text and "memory only" in text,
           "the journal does not say the state is kept in memory only")
    log("journal: %s" % [ln for ln in text.splitlines() if "memory only" in ln][0])
    expect(http_get("/readyz")[0] == 200, "/readyz with a read-only state directory")
    expect(http_get("/api/v1/units/%s/hardening" % UNIT)[0] == 200, "scores while read-only")
    n = len(drift_events())
    weaken(True)
    wait_more_events(n)
    collection_goes_on("read-only")


def s_cleanup():
    weaken(False)
    run(["systemctl", "stop", DAEMON_UNIT, UNIT], timeout=120, check=False)
    run(["umount", STATE], check=False)
    start_daemon()


SCENARIOS = [
    ("faults-setup", s_setup),
    ("state-dir-full", s_state_full),
    ("state-dir-read-only", s_state_read_only),
    ("faults-cleanup", s_cleanup),
]


def main():
    if sys.argv[1:] == ["--list"]:
        for name, _ in SCENARIOS:
            print(name)
        return 0
    lines = []
    ready = True
    for name, fn in SCENARIOS:
        if not ready and name != "faults-cleanup":
            lines.append("FAIL %s: the set-up failed" % name)
            continue
        try:
            fn()
            lines.append("PASS %s" % name)
        except (CheckFailed, subprocess.SubprocessError, OSError, ValueError, KeyError,
                TypeError, AttributeError, IndexError) as e:
            lines.append("FAIL %s: %s" % (name, e))
            ready = name != "faults-setup"
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
