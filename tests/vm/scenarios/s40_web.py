#!/usr/bin/env python3
"""The dashboard in a real browser against the daemon in this guest. The browser runs on the
host (headless Chromium, tests/web/e2e.mjs); qemu forwards a host port to the daemon's port
here. The two sides meet over the 9p share:

  guest: sets up the sample services (web_units.py), writes web-ready (JSON: which units to
         open), waits for web-done
  host:  (check.sh) sees web-ready, runs the browser tests, writes web-e2e.log and then
         web-done holding their exit status

Without web-host in the share (check.sh writes it when it runs the host side), nothing would
ever answer: the suite fails at once and says so. `s40_web.py --list` prints its names.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s10_collect import log  # noqa: E402
import web_units  # noqa: E402

RESULTS = os.environ.get("UNITWATCH_RESULTS", "/mnt/host/results.txt")
SHARE = os.path.dirname(RESULTS)
NAMES = ["s40_web_e2e"]
HOST_TIMEOUT = 600


def result(name, ok, why=""):
    line = "PASS %s" % name if ok else "FAIL %s: %s" % (name, why)
    print(line, flush=True)
    with open(RESULTS, "a") as f:
        f.write(line + "\n")


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(NAMES))
        return 0
    if not os.path.exists(os.path.join(SHARE, "web-host")):
        result("s40_web_e2e", False, "no host side: run it through tests/vm/check.sh")
        return 1
    try:
        web_units.setup(interval=2)
    except Exception as e:  # noqa: BLE001 - any set-up failure is this suite's failure
        result("s40_web_e2e", False, "set-up: %s" % e)
        return 1
    # Some samples for the charts before the browser looks.
    time.sleep(8)
    with open(os.path.join(SHARE, "web-ready.tmp"), "w") as f:
        json.dump({"xss_unit": web_units.XSS_UNIT, "check_unit": "uw-careless.service",
                   "limit_unit": "uw-creeping.service"}, f)
    os.rename(os.path.join(SHARE, "web-ready.tmp"), os.path.join(SHARE, "web-ready"))
    log("web-ready written; waiting for the host's browser tests")
    done = os.path.join(SHARE, "web-done")
    t0 = time.monotonic()
    while not os.path.exists(done) and time.monotonic() - t0 < HOST_TIMEOUT:
        time.sleep(1)
    if not os.path.exists(done):
        result("s40_web_e2e", False, "the host did not finish within %d s" % HOST_TIMEOUT)
        return 1
    with open(done) as f:
        rc = f.read().strip()
    try:
        with open(os.path.join(SHARE, "web-e2e.log")) as f:
            out = f.read()
    except OSError:
        out = ""
    print(out)
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    result("s40_web_e2e", rc == "0", "; ".join(fails) or "browser tests exited with %s" % rc)
    return 0 if rc == "0" else 1


if __name__ == "__main__":
    sys.exit(main())
