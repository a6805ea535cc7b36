#!/usr/bin/env python3
"""Guest-side scenarios of the unitwatch VM tier.

Runs inside the test guest (real systemd, cgroup v2), started by guest-run.sh. Every
scenario starts its services with systemd-run, waits until the kernel's own files show
the state it wants, then ONE run of `unitwatchd --once --format json` is checked against
the truth read straight from /sys/fs/cgroup. Everything is batched: one boot, one set of
services, one snapshot, because the guest runs under TCG, 15-30x slower than the host.

Prints one line per scenario, "PASS name" or "FAIL name: reason", and writes the same
lines to $UNITWATCH_RESULTS (default /mnt/host/results.txt) for check.sh to count.
`s10_collect.py --list` prints the scenario names (check.sh uses it on the host to notice
scenarios that never reported). Exit status: 0 if every scenario passed, 1 otherwise.
"""

import json
import os
import subprocess
import sys
import time

UNITWATCHD = os.environ.get("UNITWATCHD", "/mnt/host/unitwatchd")
RESULTS = os.environ.get("UNITWATCH_RESULTS", "/mnt/host/results.txt")
CGROUP_ROOT = "/sys/fs/cgroup"
MiB = 1024 * 1024
# How long services may take to reach the state a scenario checks (TCG is slow).
READY_TIMEOUT = float(os.environ.get("UNITWATCH_READY_TIMEOUT", "240"))


class CheckFailed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def run(argv, check=True, timeout=120):
    """Run a command, return its stdout; raise CheckFailed with its stderr if it fails."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise CheckFailed("%s exited with %d: %s"
                          % (" ".join(argv), p.returncode, p.stderr.strip()[-500:]))
    return p.stdout


def start_transient(unit, command, props=()):
    """systemd-run a service. unit is given without .service, exactly as on the command line."""
    argv = ["systemd-run", "--quiet", "--unit=" + unit, "--service-type=exec"]
    for p in props:
        argv += ["-p", p]
    run(argv + ["--"] + list(command))


def unit_show(unit, prop):
    return run(["systemctl", "show", "--value", "-p", prop, "--", unit]).strip()


def cg_dir(unit):
    cg = unit_show(unit, "ControlGroup")
    if not cg:
        raise CheckFailed("%s has no ControlGroup (not running?)" % unit)
    return CGROUP_ROOT + cg


def read_file(path):
    with open(path) as f:
        return f.read()


def read_int(path):
    return int(read_file(path).strip())


def read_keyed(path):
    """A flat-keyed cgroup file (cpu.stat, memory.events) as a dict of ints."""
    out = {}
    for line in read_file(path).splitlines():
        key, value = line.split()
        out[key] = int(value)
    return out


def limit_value(text):
    """A limit as the JSON should show it: None for the kernel's "max", else an int."""
    text = text.strip()
    return None if text == "max" else int(text)


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def expect_eq(actual, expected, what):
    if actual != expected:
        raise CheckFailed("%s: got %r, want %r" % (what, actual, expected))


def within(actual, target, rel, what):
    if actual is None or abs(actual - target) > rel * target:
        raise CheckFailed("%s: got %r, want %d +/- %d%%" % (what, actual, target, rel * 100))


def get(obj, *path):
    """obj[path[0]][path[1]]... with a readable failure when a level is missing."""
    cur = obj
    for i, key in enumerate(path):
        if not isinstance(cur, dict) or key not in cur:
            raise CheckFailed("JSON has no %s" % ".".join(path[: i + 1]))
        cur = cur[key]
    return cur


class Snapshot:
    """The parsed output of one unitwatchd run."""

    def __init__(self, doc):
        self.doc = doc
        self.units = {u.get("unit"): u for u in doc.get("units", [])}

    def unit(self, name):
        if name not in self.units:
            raise CheckFailed("unit %r missing from unitwatchd output (%d units listed)"
                              % (name, len(self.units)))
        return self.units[name]


# ---------------------------------------------------------------- scenarios
#
# Each scenario has: name; setup() starting what it needs; ready() -> None when the
# kernel shows the wanted state, else a string saying what is still awaited; and
# check(snap, before) raising CheckFailed. `before` holds what ready() read from the
# kernel just before unitwatchd ran, for counters that only grow.


class Scenario:
    name = "?"

    def setup(self):
        pass

    def ready(self):
        return None

    def check(self, snap):
        raise NotImplementedError


class Limits(Scenario):
    name = "limits"
    unit = "uwtest-limits.service"

    def setup(self):
        start_transient("uwtest-limits", ["sleep", "600"],
                        ["MemoryMax=300M", "MemoryHigh=250M", "CPUQuota=50%", "TasksMax=77"])

    def ready(self):
        d = cg_dir(self.unit)
        return None if os.path.exists(d + "/cpu.max") else "cpu.max of uwtest-limits"

    def check(self, snap):
        u = snap.unit(self.unit)
        d = cg_dir(self.unit)
        expect_eq(u.get("cgroup"), unit_show(self.unit, "ControlGroup"), "cgroup")
        expect_eq(u.get("cgroup_id"), os.stat(d).st_ino, "cgroup_id (inode of the cgroup dir)")
        expect_eq(u.get("populated"), True, "populated")
        expect_eq(get(u, "memory", "max"), 314572800, "memory.max")
        expect_eq(get(u, "memory", "high"), 262144000, "memory.high")
        expect_eq(get(u, "cpu", "max", "quota_usec"), 50000, "cpu.max quota_usec")
        expect_eq(get(u, "cpu", "max", "period_usec"), 100000, "cpu.max period_usec")
        expect_eq(get(u, "pids", "max"), 77, "pids.max")
        expect(get(u, "pids", "current") >= 1, "pids.current >= 1")


class FilesMatch(Scenario):
    """Every limit of every listed unit equals its file: null exactly where the kernel says max."""

    name = "limits-match-files"
    # JSON path -> cgroup file (single-value limit files)
    FIELDS = {
        ("memory", "max"): "memory.max",
        ("memory", "high"): "memory.high",
        ("memory", "min"): "memory.min",
        ("memory", "low"): "memory.low",
        ("memory", "swap_max"): "memory.swap.max",
        ("pids", "max"): "pids.max",
        ("cpu", "weight"): "cpu.weight",
    }

    def check(self, snap):
        compared = 0
        for name, u in snap.units.items():
            if not u.get("cgroup"):
                continue  # a unit without a cgroup now (inactive, failed)
            d = CGROUP_ROOT + u["cgroup"]
            if not os.path.isdir(d):
                continue  # a unit that went away since the snapshot
            for path, fname in self.FIELDS.items():
                try:
                    want = limit_value(read_file(d + "/" + fname))
                except FileNotFoundError:
                    continue
                expect_eq(get(u, *path), want, "%s %s" % (name, ".".join(path)))
                compared += 1
            try:
                quota, period = read_file(d + "/cpu.max").split()
            except FileNotFoundError:
                continue
            expect_eq(get(u, "cpu", "max", "quota_usec"), limit_value(quota),
                      "%s cpu.max quota_usec" % name)
            expect_eq(get(u, "cpu", "max", "period_usec"), int(period),
                      "%s cpu.max period_usec" % name)
            compared += 1
        expect(compared >= 20, "only %d values compared, want at least 20" % compared)


class Memory(Scenario):
    name = "memory-200MiB"
    unit = "uwtest-mem.service"
    SIZE = 200 * MiB

    def setup(self):
        # bytearray(n) zero-fills; the strided write makes sure every page is touched even
        # if an allocator ever hands out untouched zero pages.
        code = ("b = bytearray(%d); b[::4096] = b'\\x01' * len(b[::4096]); "
                "import time; time.sleep(600)" % self.SIZE)
        start_transient("uwtest-mem", ["python3", "-c", code])

    def ready(self):
        cur = read_int(cg_dir(self.unit) + "/memory.current")
        return None if cur >= 0.95 * self.SIZE else "uwtest-mem at %d MiB" % (cur // MiB)

    def check(self, snap):
        truth = read_int(cg_dir(self.unit) + "/memory.current")
        got = get(snap.unit(self.unit), "memory", "current")
        within(got, self.SIZE, 0.10, "memory.current vs 200 MiB")
        within(got, truth, 0.10, "memory.current vs the unit's memory.current file (%d)" % truth)
        log("  memory-200MiB: unitwatchd %d, file %d" % (got, truth))


class Cpu(Scenario):
    name = "cpu-2s"
    unit = "uwtest-cpu.service"
    MARK = "/run/uwtest-cpu.done"

    def setup(self):
        # Burn 2 s of this process's own CPU time (not wall time: the vCPUs are shared),
        # then leave a mark and stay alive so the cgroup stays.
        code = ("import time\n"
                "t = time.process_time()\n"
                "while time.process_time() - t < 2.0: pass\n"
                "open(%r, 'w').close()\n"
                "time.sleep(600)\n" % self.MARK)
        start_transient("uwtest-cpu", ["python3", "-c", code])

    def ready(self):
        if not os.path.exists(self.MARK):
            return "uwtest-cpu still burning"
        self.before = read_keyed(cg_dir(self.unit) + "/cpu.stat")["usage_usec"]
        return None

    def check(self, snap):
        after = read_keyed(cg_dir(self.unit) + "/cpu.stat")["usage_usec"]
        stat = get(snap.unit(self.unit), "cpu", "stat")
        usage = get(stat, "usage_usec")
        # Generous: python's start-up counts too, and TCG is slow.
        expect(1_500_000 <= usage <= 4_000_000, "usage_usec %d not within 1.5-4 s" % usage)
        expect(self.before <= usage <= after,
               "usage_usec %d outside the file's %d..%d around the run" % (usage, self.before, after))
        log("  cpu-2s: usage_usec %d (file %d before, %d after)" % (usage, self.before, after))
        expect(get(stat, "user_usec") + get(stat, "system_usec") <= usage + 100_000,
               "user_usec + system_usec exceeds usage_usec")


class Io(Scenario):
    name = "io-direct-100MiB"
    unit = "uwtest-io.service"
    MARK = "/run/uwtest-io.done"

    def setup(self):
        # The scratch disk must be the 256 MiB one, never the root disk.
        sectors = read_int("/sys/block/vdb/size")
        if sectors * 512 != 256 * MiB:
            raise CheckFailed("/dev/vdb is %d bytes, not the 256 MiB scratch disk" % (sectors * 512))
        script = ("dd if=/dev/zero of=/dev/vdb bs=1M count=100 oflag=direct status=none"
                  " && touch %s; exec sleep 600" % self.MARK)
        start_transient("uwtest-io", ["/bin/sh", "-c", script])

    def ready(self):
        return None if os.path.exists(self.MARK) else "dd to /dev/vdb still running"

    def check(self, snap):
        majmin = read_file("/sys/block/vdb/dev").strip()
        entries = get(snap.unit(self.unit), "io")
        expect(isinstance(entries, list), "io is not a list")
        mine = [e for e in entries if e.get("major_minor") == majmin]
        expect(len(mine) == 1, "want one io entry for %s, got %r" % (majmin, entries))
        e = mine[0]
        expect_eq(e.get("device"), "vdb", "device name of %s" % majmin)
        expect(e.get("wbytes", 0) >= 100 * MiB, "wbytes %r < 100 MiB" % e.get("wbytes"))
        expect(e.get("wios", 0) >= 100, "wios %r < 100" % e.get("wios"))
        log("  io-direct-100MiB: %s" % json.dumps(e, sort_keys=True))


class Oom(Scenario):
    name = "oom-kill"
    unit = "uwtest-oom.service"

    def setup(self):
        # OOMPolicy=continue: systemd's default (stop) would tear the unit and its cgroup
        # down after the kill. The shell outlives python, so the cgroup stays.
        script = ("python3 -c 'b = bytearray(200 * 1024 * 1024)'; echo python exited $?; "
                  "exec sleep 600")
        start_transient("uwtest-oom", ["/bin/sh", "-c", script],
                        ["MemoryMax=50M", "MemorySwapMax=0", "OOMPolicy=continue"])

    def ready(self):
        events = read_keyed(cg_dir(self.unit) + "/memory.events")
        return None if events.get("oom_kill", 0) >= 1 else "no OOM kill yet in uwtest-oom"

    def check(self, snap):
        u = snap.unit(self.unit)
        expect(get(u, "memory", "events", "oom_kill") >= 1, "memory.events.oom_kill < 1")
        expect(get(u, "memory", "events", "oom") >= 1, "memory.events.oom < 1")
        expect_eq(get(u, "memory", "max"), 50 * MiB, "memory.max")
        log("  oom-kill: memory.events %s" % json.dumps(get(u, "memory", "events"), sort_keys=True))


class EscapedName(Scenario):
    name = "escaped-name"
    unit = "foo\\x2dbar.service"  # a literal backslash in the name

    def setup(self):
        start_transient("foo\\x2dbar", ["sleep", "600"])

    def check(self, snap):
        listed = run(["systemctl", "list-units", "--type=service", "--plain", "--no-legend",
                      "--", self.unit]).split()
        expect(listed and listed[0] == self.unit, "systemctl lists %r" % listed[:1])
        u = snap.unit(self.unit)
        expect_eq(u.get("cgroup"), unit_show(self.unit, "ControlGroup"), "cgroup")


class TemplateInstance(Scenario):
    name = "template-instance"

    def setup(self):
        with open("/etc/systemd/system/uwtmpl@.service", "w") as f:
            f.write("[Unit]\nDescription=unitwatch test template %i\n\n"
                    "[Service]\nExecStart=/bin/sleep 600\n")
        run(["systemctl", "daemon-reload"])
        self.unit = run(["systemd-escape", "--template=uwtmpl@.service", "a-b"]).strip()
        expect_eq(self.unit, "uwtmpl@a\\x2db.service", "systemd-escape output")
        run(["systemctl", "start", "--", self.unit])

    def check(self, snap):
        listed = run(["systemctl", "list-units", "--type=service", "--plain", "--no-legend",
                      "--", self.unit]).split()
        expect(listed and listed[0] == self.unit, "systemctl lists %r" % listed[:1])
        u = snap.unit(self.unit)
        expect_eq(u.get("cgroup"), unit_show(self.unit, "ControlGroup"), "cgroup")


class Listing(Scenario):
    """Only services by default, and every running service with a cgroup is there."""

    name = "listing"

    def check(self, snap):
        expect_eq(snap.doc.get("version"), "0.1.0", "version")
        expect_eq(snap.doc.get("cgroup_root"), CGROUP_ROOT, "cgroup_root")
        expect(abs(snap.doc.get("time", 0) - time.time()) < 600, "time is not about now")
        others = [n for n in snap.units if not str(n).endswith(".service")]
        expect(not others, "non-service units listed: %r" % others[:5])
        running = run(["systemctl", "list-units", "--type=service", "--state=running",
                       "--plain", "--no-legend"]).splitlines()
        names = [line.split()[0] for line in running if line.strip()]
        missing = [n for n in names if n not in snap.units]
        expect(not missing, "running services missing: %r" % missing)
        # --once follows the bus too: every loaded service with its state, cgroup or not.
        expect_eq(snap.doc.get("source"), "bus", "source")
        loaded = run(["systemctl", "list-units", "--type=service", "--all", "--plain",
                      "--no-legend"]).splitlines()
        for line in loaded:
            f = line.split()
            if len(f) >= 4 and f[1] == "loaded":
                u = snap.unit(f[0])
                expect_eq(get(u, "state", "active"), f[2], "%s state.active" % f[0])


class Prometheus(Scenario):
    name = "prometheus-format"

    def check(self, snap):
        text = run([UNITWATCHD, "--once", "--format", "prometheus"])
        expect("unitwatch_" in text, "no unitwatch_ metric in the prometheus output")
        # Label values escape a backslash as two.
        expect('unit="foo\\\\x2dbar.service"' in text,
               'no sample with unit="foo\\\\x2dbar.service" (escaped backslash)')


class Rates(Scenario):
    name = "rates"

    def check(self, snap):
        doc = json.loads(run([UNITWATCHD, "--once", "--format", "json", "--rates",
                              "--interval", "2"], timeout=180))
        names = {u.get("unit") for u in doc.get("units", [])}
        expect("uwtest-limits.service" in names, "uwtest-limits.service missing with --rates")


class NoBus(Scenario):
    name = "no-bus"

    def check(self, snap):
        doc = json.loads(run([UNITWATCHD, "--once", "--format", "json", "--no-bus"]))
        names = {u.get("unit") for u in doc.get("units", [])}
        for want in ("uwtest-limits.service", "foo\\x2dbar.service"):
            expect(want in names, "%s missing with --no-bus" % want)


SCENARIOS = [Limits(), FilesMatch(), Memory(), Cpu(), Io(), Oom(), EscapedName(),
             TemplateInstance(), Listing(), Prometheus(), Rates(), NoBus()]


def main():
    if sys.argv[1:] == ["--list"]:
        for s in SCENARIOS:
            print(s.name)
        return 0

    results = {}  # name -> None (pass) or reason

    # 1. Start everything at once: the waits overlap.
    for s in SCENARIOS:
        try:
            s.setup()
        except (CheckFailed, subprocess.SubprocessError, OSError) as e:
            results[s.name] = "setup: %s" % e

    # 2. Wait until the kernel shows every wanted state.
    pending = [s for s in SCENARIOS if s.name not in results]
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = {}
    while pending:
        waiting = {}
        for s in pending:
            try:
                why = s.ready()
            except (CheckFailed, OSError, ValueError, KeyError) as e:
                why = str(e)
            if why:
                waiting[s.name] = why
        pending = [s for s in pending if s.name in waiting]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(1)
    for s in pending:
        results[s.name] = "not ready after %ds: %s" % (READY_TIMEOUT, waiting[s.name])
    log("scenario setup finished")

    # 3. One snapshot for all of them.
    snap = None
    try:
        if not os.access(UNITWATCHD, os.X_OK):
            raise CheckFailed("%s missing or not executable" % UNITWATCHD)
        t0 = time.monotonic()
        out = run([UNITWATCHD, "--once", "--format", "json"])
        log("unitwatchd --once took %.2fs" % (time.monotonic() - t0))
        # Kept next to the results on the host, for debugging.
        with open(os.path.join(os.path.dirname(RESULTS), "snapshot.json"), "w") as f:
            f.write(out)
        snap = Snapshot(json.loads(out))
    except (CheckFailed, subprocess.SubprocessError, OSError, ValueError) as e:
        for s in SCENARIOS:
            results.setdefault(s.name, "unitwatchd: %s" % e)

    # 4. Check.
    for s in SCENARIOS:
        if s.name in results:
            continue
        try:
            s.check(snap)
            results[s.name] = None
        except (CheckFailed, subprocess.SubprocessError, OSError, ValueError, KeyError,
                TypeError) as e:
            results[s.name] = "%s: %s" % (type(e).__name__, e) if not isinstance(e, CheckFailed) else str(e)

    lines = []
    for s in SCENARIOS:
        why = results[s.name]
        lines.append("PASS %s" % s.name if why is None else "FAIL %s: %s" % (s.name, why))
    for line in lines:
        log(line)
    with open(RESULTS, "w") as f:
        f.write("\n".join(lines) + "\n")

    failed = [s for s in SCENARIOS if results[s.name] is not None]
    if failed and snap is not None:
        # The JSON of the units involved, to debug a failure without rerunning.
        log("---- unitwatchd output for the test units ----")
        for name, u in sorted(snap.units.items()):
            if name.startswith(("uwtest-", "foo", "uwtmpl@")):
                log(json.dumps(u, indent=1, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
