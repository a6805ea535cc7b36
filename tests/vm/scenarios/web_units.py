#!/usr/bin/env python3
"""The guest side of the dashboard's browser tests (s40_web.py) and of `make demo`: guest
networking for qemu's user-mode network (the host forwards a port to the daemon), the daemon
from the packaged unit listening for the host, and a handful of sample services that give the
dashboard something to show:

- uw-hardened.service   a tight sandbox (exposure near 1)
- uw-careless.service   root, no sandbox at all, busy on the CPU under a 20% quota
- uw-creeping.service   grows its memory towards its MemoryMax=96M (then is OOM-killed and
                        starts over)
- uw-flaky.service      fails every 20 s and is restarted
- uw\\x2dmarkup.service  a name with an escape and a Description with markup, quotes and
                        backslashes (the dashboard must show them as text)

Not a suite itself (no sNN_ prefix); `web_units.py demo` runs the demo guest: sets everything
up, writes /mnt/host/demo-ready and keeps the guest up until the host stops it.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s10_collect import log, run  # noqa: E402

SHARE = os.path.dirname(os.environ.get("UNITWATCH_RESULTS", "/mnt/host/results.txt"))
PORT = 9839
BASE = "http://127.0.0.1:%d" % PORT
DAEMON_UNIT = "unitwatchd.service"

XSS_UNIT = "uw\\x2dmarkup.service"
# In a unit file '%' starts a specifier and a trailing backslash continues the line: neither
# is used; everything else below reaches the bus as written.
XSS_DESCRIPTION = ("Markup test <script>window.__xss=1</script> \"double\" 'single' "
                   "C:\\temp\\x2d <img src=x onerror=window.__xss=2> & <b>bold</b>")

SANDBOX = """DynamicUser=yes
CapabilityBoundingSet=
AmbientCapabilities=
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateNetwork=yes
PrivateUsers=yes
PrivateMounts=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictAddressFamilies=AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
KeyringMode=private
UMask=0077
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
IPAddressDeny=any
DevicePolicy=closed
"""

# A little CPU now and then, so the charts move ("$$" is a "$" once systemd has read it).
SPIN = ("/bin/sh -c 'while :; do i=0; while [ $$i -lt 3000 ]; do i=$$((i+1)); done; "
        "sleep 1; done'")

# 1 MiB (touched, so it counts) every 2 s, held: reaches MemoryMax=96M in about 3 minutes.
CREEP = ("/usr/bin/python3 -c 'import time; b = []; "
         "[(b.append(b\"x\" * (1 << 20)), time.sleep(2)) for _ in iter(int, 1)]'")

UNITS = {
    "uw-hardened.service": """[Unit]
Description=Hardened sample: a tight sandbox

[Service]
ExecStart=%s
MemoryMax=64M
TasksMax=16
%s""" % (SPIN, SANDBOX),
    "uw-careless.service": """[Unit]
Description=Careless sample: root, no sandbox, busy under a 20%% CPU quota

[Service]
ExecStart=/bin/sh -c 'while :; do :; done'
CPUQuota=20%
""",
    "uw-creeping.service": """[Unit]
Description=Creeping sample: memory grows towards MemoryMax=96M

[Service]
ExecStart=%s
MemoryMax=96M
MemorySwapMax=0
Restart=always
RestartSec=5
""" % CREEP,
    "uw-flaky.service": """[Unit]
Description=Flaky sample: fails every 20 s and is restarted
StartLimitIntervalSec=0

[Service]
ExecStart=/bin/sh -c 'sleep 20; echo giving up >&2; exit 3'
Restart=on-failure
RestartSec=5
""",
    XSS_UNIT: """[Unit]
Description=%s

[Service]
ExecStart=/bin/sleep infinity
""" % XSS_DESCRIPTION,
}


def http_json(path, timeout=10):
    try:
        with urllib.request.urlopen(BASE + path, timeout=timeout) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return None


def setup_network():
    """qemu's user network: the guest is 10.0.2.15, the host reaches it through hostfwd."""
    os.makedirs("/run/systemd/network", exist_ok=True)
    with open("/run/systemd/network/80-unitwatch-test.network", "w") as f:
        f.write("[Match]\nType=ether\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\n"
                "LinkLocalAddressing=no\nIPv6AcceptRA=no\n")
    run(["systemctl", "restart", "systemd-networkd"], timeout=60)
    run(["/lib/systemd/systemd-networkd-wait-online", "--any", "--timeout=60"], check=False,
        timeout=90)
    log("network: " + run(["networkctl", "--no-pager", "list"], check=False).strip())


def install_daemon(interval):
    """The packaged unit unchanged, plus a drop-in that lets the forwarded port in."""
    os.makedirs("/usr/local/bin", exist_ok=True)
    subprocess.run(["install", "-m", "0755", os.path.join(SHARE, "unitwatchd"),
                    "/usr/local/bin/unitwatchd"], check=True)
    os.makedirs("/etc/unitwatch", exist_ok=True)
    with open("/etc/unitwatch/config.json", "w") as f:
        # Beyond loopback without a token or TLS the daemon refuses to start unless told:
        # here the only peer is qemu's restricted user network, forwarded to 127.0.0.1 on the
        # host.
        json.dump({"listen": ["0.0.0.0:%d" % PORT], "interval": interval,
                   "http": {"allow_insecure_remote": True}}, f)
    subprocess.run(["install", "-m", "0644", os.path.join(SHARE, "unitwatchd.service"),
                    "/etc/systemd/system/" + DAEMON_UNIT], check=True)
    os.makedirs("/etc/systemd/system/%s.d" % DAEMON_UNIT, exist_ok=True)
    with open("/etc/systemd/system/%s.d/50-host-forward.conf" % DAEMON_UNIT, "w") as f:
        f.write("[Service]\n# qemu's hostfwd connects from 10.0.2.2\nIPAddressAllow=10.0.2.0/24\n")
    os.makedirs("/usr/local/lib/sysusers.d", exist_ok=True)
    subprocess.run(["install", "-m", "0644", os.path.join(SHARE, "unitwatch.sysusers"),
                    "/usr/local/lib/sysusers.d/unitwatch.conf"], check=True)
    run(["systemd-sysusers"], timeout=60)


def install_units():
    for name, text in UNITS.items():
        with open(os.path.join("/etc/systemd/system", name), "w") as f:
            f.write(text)
    run(["systemctl", "daemon-reload"], timeout=120)


def start_all():
    run(["systemctl", "restart", DAEMON_UNIT], timeout=180)
    for name in UNITS:
        run(["systemctl", "start", name], timeout=120)


def wait_scored(timeout=180):
    """Until every sample unit has an exposure in the overview."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        doc = http_json("/api/v1/units?name=uw*")
        if doc and all(any(u["unit"] == n and "exposure" in u for u in doc["units"])
                       for n in UNITS):
            return True
        time.sleep(1)
    return False


def make_drift():
    """A regression of uw-hardened.service after its baseline: the drift view's content."""
    d = "/etc/systemd/system/uw-hardened.service.d"
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "50-loosen.conf"), "w") as f:
        f.write("[Service]\nPrivateNetwork=no\nProtectHome=no\n")
    run(["systemctl", "daemon-reload"], timeout=120)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:
        doc = http_json("/api/v1/drift?unit=uw-hardened.service")
        if doc and doc.get("events"):
            return True
        time.sleep(1)
    return False


def setup(interval):
    setup_network()
    install_daemon(interval)
    install_units()
    start_all()
    if not wait_scored():
        raise RuntimeError("the sample units were not scored within 180 s")
    if not make_drift():
        raise RuntimeError("no drift event for uw-hardened.service within 60 s")


def demo():
    setup(interval=2)
    with open(os.path.join(SHARE, "demo-ready"), "w") as f:
        f.write("ready\n")
    log("demo ready; the guest stays up until the host stops qemu")
    while True:
        time.sleep(3600)


if __name__ == "__main__" and sys.argv[1:] == ["demo"]:
    demo()
