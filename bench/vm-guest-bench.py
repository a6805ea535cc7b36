#!/usr/bin/env python3
"""Runs in the test guest (see vm-bench.sh). For each size in SHARE/units ("100 1000"), grows
the set of transient services to that size, then measures, one tool at a time so none
disturbs another:

  unitwatchd          the daemon over the bus: time to READY=1, CPU per collection cycle,
                      RSS, /metrics and /api/v1/units latency and size, its first scoring pass
  bench-collect       the collector and the raw-read floor on /sys/fs/cgroup (in C)
  scoring             `unitwatchd security` against `systemd-analyze security`, all services
  node_exporter       Debian's prometheus-node-exporter, systemd collector only: CPU per
                      scrape, RSS, scrape latency
  netdata             Debian's netdata, cgroups collection only (as root, its other
                      collectors, health and ML off): CPU per second and RSS at its
                      default 1 s interval

SHARE/peers lists the sizes at which the peers run too (default: every size), SHARE/persist
those at which the daemon also starts once with its drift state on disk (default: none),
SHARE/phases which of unitwatch, rssdiag, floor, scoring, node_exporter, netdata run (default:
all but rssdiag, which starts the daemon four more times to see where its memory goes). Each tool runs
in a transient unit of its own, so its CPU is its cgroup's cpu.stat usage (children included)
and its RSS the sum over its processes. Figures go to stdout and SHARE/bench-vm.json. The
guest runs under TCG: absolute times are inflated; ratios from the same run hold."""

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.request

SHARE = os.path.dirname(os.path.abspath(__file__))
SIZES = [int(x) for x in open(os.path.join(SHARE, "units")).read().split()]
PEER_SIZES = ([int(x) for x in open(os.path.join(SHARE, "peers")).read().split()]
              if os.path.exists(os.path.join(SHARE, "peers")) else SIZES)
PERSIST_SIZES = ([int(x) for x in open(os.path.join(SHARE, "persist")).read().split()]
                 if os.path.exists(os.path.join(SHARE, "persist")) else [])
PHASES = (open(os.path.join(SHARE, "phases")).read().split()
          if os.path.exists(os.path.join(SHARE, "phases"))
          else ["unitwatch", "floor", "scoring", "node_exporter", "netdata"])
UWD = os.path.join(SHARE, "unitwatchd")
BENCH_COLLECT = os.path.join(SHARE, "bench-collect")
UW_PORT, NE_PORT, ND_PORT = 9839, 9100, 19999
INTERVAL = 10          # the daemon's default collection interval
CPU_WINDOW = 60        # seconds of idle daemon per CPU figure: 6 cycles
NETDATA_WINDOW = 60    # seconds of netdata at its 1 s interval
RESULTS = []
TABLE = []


def log(msg):
    print(msg, flush=True)


def sh(*argv, check=True, timeout=None):
    return subprocess.run(argv, check=check, capture_output=True, text=True,
                          timeout=timeout).stdout


def get(port, path, timeout=600, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def timed_gets(port, path, count, warmup=2, headers=None):
    """Median and p99 latency (s) of count GETs after warmup, and the body size."""
    lat, body = [], b""
    for i in range(warmup + count):
        t = time.monotonic()
        body = get(port, path, headers=headers)
        if i >= warmup:
            lat.append(time.monotonic() - t)
    lat.sort()
    return statistics.median(lat), lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(body)


def add(tool, units, metric, value, uom):
    RESULTS.append({"tool": tool, "units": units, "metric": metric, "value": value,
                    "unit_of_measure": uom, "where": "vm"})


def row(units, tool, what, text):
    TABLE.append((units, tool, what, text))
    log("  %-13s %-40s %s" % (tool, what, text))


def cgroup_of(unit):
    return "/sys/fs/cgroup" + sh("systemctl", "show", "-p", "ControlGroup", "--value",
                                 unit).strip()


def cpu_usec(unit):
    for line in open(cgroup_of(unit) + "/cpu.stat"):
        k, v = line.split()
        if k == "usage_usec":
            return int(v)
    raise RuntimeError("no usage_usec for " + unit)


def rss_kib(unit):
    total = 0
    for pid in open(cgroup_of(unit) + "/cgroup.procs").read().split():
        try:
            m = re.search(r"VmRSS:\s+(\d+)", open("/proc/%s/status" % pid).read())
        except OSError:
            continue
        if m:
            total += int(m.group(1))
    return total


def stop(unit):
    sh("systemctl", "stop", unit, check=False)
    sh("systemctl", "reset-failed", unit, check=False)


def start_transient(unit, argv, notify=False):
    """systemd-run; with notify, blocks until READY=1 and says why when it failed."""
    props = ["-p", "Type=notify", "-p", "TimeoutStartSec=1200"] if notify else []
    try:
        sh("systemd-run", "--quiet", "--unit=" + unit, *props, "--", *argv)
    except subprocess.CalledProcessError:
        log(sh("systemctl", "status", "--no-pager", "-l", unit, check=False))
        log(sh("journalctl", "-u", unit, "--no-pager", "-o", "short-monotonic", check=False))
        raise


def wait_http(port, path, timeout, unit=None):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if unit and sh("systemctl", "is-active", unit, check=False).strip() not in (
                "active", "activating"):
            raise RuntimeError("%s is not running" % unit)
        try:
            get(port, path, timeout=30)
            return time.monotonic() - t0
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("nothing answers on 127.0.0.1:%d%s after %d s" % (port, path, timeout))


def grow_services(n):
    """uwbench-1..n running: sleep processes with a memory limit, as transient services."""
    t0 = time.monotonic()
    have = len(sh("systemctl", "list-units", "--no-legend", "--plain", "uwbench-*").splitlines())
    for i in range(have + 1, n + 1):
        sh("systemd-run", "--quiet", "--no-block", "--unit=uwbench-%d" % i, "-p",
           "MemoryMax=64M", "sleep", "infinity")
    while len(sh("systemctl", "list-units", "--no-legend", "--plain", "--state=active",
                 "uwbench-*").splitlines()) < n:
        time.sleep(1)
    services = len(sh("systemctl", "list-units", "--no-legend", "--plain", "--all",
                      "--type=service").splitlines())
    log("%d uwbench services up after %.1f s; %d services loaded in all" % (
        n, time.monotonic() - t0, services))
    return services


def scoring_pass(unit):
    """(services, ms) of the daemon's first scoring pass, from its journal."""
    journal = sh("journalctl", "-u", unit, "-o", "cat", "--no-pager")
    # The unit's journal spans its earlier runs (smaller sizes): the last pass is this run's.
    m = re.findall(r"^scored (\d+) services in ([\d.]+) ms$", journal, re.M)
    return (int(m[-1][0]), float(m[-1][1])) if m else (0, None)


def bench_unitwatch_persisted(n):
    """The daemon as shipped, drift state on disk: start to READY=1 and its first scoring pass,
    which writes every new unit's baseline. Only that; the rest runs with memory-only state."""
    unit = "uwd-bench-persist.service"
    state = "/var/lib/uwd-bench-persist-%d" % n
    t0 = time.monotonic()
    start_transient(unit, [UWD, "--listen", "127.0.0.1:%d" % UW_PORT, "--interval",
                           str(INTERVAL), "--state-dir", state], notify=True)
    ready = time.monotonic() - t0
    scored, ms = scoring_pass(unit)
    stop(unit)
    size = os.path.getsize(os.path.join(state, "baselines.json"))
    row(n, "unitwatch", "persisted state: start to READY=1", "%.2f s" % ready)
    row(n, "unitwatch", "persisted state: first scoring pass", "%d services in %.0f ms, "
        "baselines.json %d KiB" % (scored, ms or -1, size // 1024))
    add("unitwatch", n, "persisted_ready_s", ready, "s")
    if ms:
        add("unitwatch", n, "persisted_scoring_pass_ms", ms, "ms")
    add("unitwatch", n, "persisted_baselines_bytes", size, "bytes")


def bench_unitwatch(n):
    unit = "uwd-bench.service"
    # Memory-only drift state (a state directory that cannot be made): see the README on
    # the first scoring pass with persisted state.
    t0 = time.monotonic()
    start_transient(unit, [UWD, "--listen", "127.0.0.1:%d" % UW_PORT, "--interval",
                           str(INTERVAL), "--state-dir", "/proc/uwd-bench-no-state"],
                    notify=True)
    ready = time.monotonic() - t0
    row(n, "unitwatch", "start to READY=1 (snapshot + scores)", "%.2f s" % ready)
    add("unitwatch", n, "ready_s", ready, "s")

    # Idle daemon: only its timer runs. CPU over whole cycles, from its cgroup.
    time.sleep(2)
    c0, t0 = cpu_usec(unit), time.monotonic()
    time.sleep(CPU_WINDOW)
    c1, elapsed = cpu_usec(unit), time.monotonic() - t0
    per_cycle_ms = (c1 - c0) / 1000 / (elapsed / INTERVAL)
    metrics = get(UW_PORT, "/metrics").decode()
    followed = int(re.search(r"^unitwatch_units (\d+)", metrics, re.M).group(1))
    last = float(re.search(r"^unitwatch_collection_duration_seconds (\S+)", metrics,
                           re.M).group(1))
    row(n, "unitwatch", "CPU per collection cycle (%d units)" % followed,
        "%.1f ms (%.1f us/unit); last cycle %.1f ms wall" % (
            per_cycle_ms, per_cycle_ms * 1000 / followed, last * 1000))
    add("unitwatch", n, "cpu_per_cycle_ms", per_cycle_ms, "ms")
    add("unitwatch", n, "cpu_per_cycle_per_unit_us", per_cycle_ms * 1000 / followed, "us")
    add("unitwatch", n, "cpu_share_at_10s_interval_percent", (c1 - c0) / 1e4 / elapsed, "%")

    for what, path, headers, count in (
            ("/metrics", "/metrics", None, 30),
            ("/metrics gzip", "/metrics", {"Accept-Encoding": "gzip"}, 30),
            ("/api/v1/units", "/api/v1/units", None, 10)):
        med, p99, size = timed_gets(UW_PORT, path, count, headers=headers)
        row(n, "unitwatch", "GET " + what, "median %.1f ms, p99 %.1f ms, %d KiB" % (
            med * 1000, p99 * 1000, size // 1024))
        key = what.strip("/").replace("/", "_").replace(" ", "_")
        add("unitwatch", n, key + "_median_ms", med * 1000, "ms")
        add("unitwatch", n, key + "_p99_ms", p99 * 1000, "ms")
        add("unitwatch", n, key + "_bytes", size, "bytes")

    rss = rss_kib(unit)
    row(n, "unitwatch", "RSS (ring %d/90 points)" % min(90, int(elapsed / INTERVAL) + 1),
        "%.1f MiB" % (rss / 1024))
    add("unitwatch", n, "rss_kib", rss, "KiB")

    scored, ms = scoring_pass(unit)
    stop(unit)
    if ms:
        row(n, "unitwatch", "first scoring pass (memory-only state)",
            "%d services in %.1f ms" % (scored, ms))
        add("unitwatch", n, "scoring_pass_ms", ms, "ms")
    return scored, ms


def bench_rss_variants(n):
    """Where the daemon's memory goes with the bus: its RSS 30 s after READY=1 as it runs,
    with one malloc arena, without the scorer (no systemd-analyze on its PATH, so no scores),
    and without the bus."""
    base = [UWD, "--listen", "127.0.0.1:%d" % UW_PORT, "--interval", str(INTERVAL),
            "--state-dir", "/proc/uwd-bench-no-state"]
    variants = (
        ("as run", [], []),
        ("MALLOC_ARENA_MAX=1", ["-E", "MALLOC_ARENA_MAX=1"], []),
        ("no scorer", ["-E", "PATH=/nonexistent"], []),
        ("no bus, no scorer", [], ["--no-bus"]),
    )
    for name, props, flags in variants:
        unit = "uwd-rss.service"
        try:
            sh("systemd-run", "--quiet", "--unit=" + unit, "-p", "Type=notify", "-p",
               "TimeoutStartSec=1200", *props, "--", *base, *flags)
            time.sleep(30)
            rss = rss_kib(unit)
            anon = 0
            pid = open(cgroup_of(unit) + "/cgroup.procs").read().split()[0]
            m = re.search(r"^Anonymous:\s+(\d+)", open("/proc/%s/smaps_rollup" % pid).read(),
                          re.M)
            anon = int(m.group(1)) if m else 0
        finally:
            stop(unit)
        row(n, "unitwatch", "RSS, " + name, "%.1f MiB (anonymous %.1f MiB)" % (
            rss / 1024, anon / 1024))
        add("unitwatch", n, "rss_kib_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"),
            rss, "KiB")


def bench_floor(n):
    out = os.path.join(SHARE, "bench-real-%d.json" % n)
    text = sh(BENCH_COLLECT, "--real", "/sys/fs/cgroup", out)
    log(text.rstrip())
    for r in json.load(open(out)):
        r["units"] = n
        RESULTS.append(r)
    by = {(r["tool"], r["metric"]): r["value"] for r in json.load(open(out))}
    ratio = by[("unitwatch", "cycle_median_ms")] / by[("floor", "cycle_median_ms")]
    row(n, "unitwatch", "collect / raw-read floor (C, kernfs)", "%.2fx (%.1f / %.1f ms)" % (
        ratio, by[("unitwatch", "cycle_median_ms")], by[("floor", "cycle_median_ms")]))
    add("unitwatch", n, "collect_vs_floor_ratio", ratio, "x")


def bench_scoring(n, scored):
    """Both tools over every service from the bus. The ratios are per service scored: the
    daemon's pass covers every loaded service, the tables leave oneshot services out."""
    pass_services, pass_ms = scored
    t0 = time.monotonic()
    cli = subprocess.run([UWD, "security"], capture_output=True, text=True, timeout=3600)
    ours_s, ours = time.monotonic() - t0, cli.stdout
    t0 = time.monotonic()
    theirs = sh("systemd-analyze", "security", "--no-pager", check=False, timeout=3600)
    theirs_s = time.monotonic() - t0
    rows_ours = max(1, len(ours.splitlines()) - 1)
    rows_theirs = max(1, len(theirs.splitlines()) - 1)
    per_theirs = theirs_s * 1000 / rows_theirs
    row(n, "scoring", "systemd-analyze security", "%.2f s, %d services, %.1f ms each" % (
        theirs_s, rows_theirs, per_theirs))
    add("systemd-analyze", n, "security_s", theirs_s, "s")
    add("systemd-analyze", n, "security_per_service_ms", per_theirs, "ms")
    if cli.returncode != 0:
        why = (cli.stderr.strip().splitlines() or ["no message"])[-1]
        row(n, "scoring", "unitwatchd security (bus + score)", "FAILED after %.1f s (exit %d): "
            "%s" % (ours_s, cli.returncode, why))
    else:
        row(n, "scoring", "unitwatchd security (bus + score)", "%.2f s, %d services" % (
            ours_s, rows_ours))
        row(n, "scoring", "ratio systemd-analyze / unitwatchd security", "%.1fx" % (
            per_theirs / (ours_s * 1000 / rows_ours)))
        add("unitwatch", n, "security_cli_s", ours_s, "s")
        add("systemd-analyze", n, "security_vs_unitwatch_cli_ratio",
            per_theirs / (ours_s * 1000 / rows_ours), "x")
    if pass_ms:
        per_ours = pass_ms / pass_services
        row(n, "scoring", "ratio systemd-analyze / daemon's scoring pass",
            "%.1fx (%.2f ms per service in the pass)" % (per_theirs / per_ours, per_ours))
        add("unitwatch", n, "scoring_per_service_ms", per_ours, "ms")
        add("systemd-analyze", n, "security_vs_unitwatch_pass_ratio", per_theirs / per_ours, "x")


def bench_node_exporter(n, scrapes):
    unit = "ne-bench.service"
    start_transient(unit, ["/usr/bin/prometheus-node-exporter", "--collector.disable-defaults",
                           "--collector.systemd", "--web.listen-address=127.0.0.1:%d" % NE_PORT])
    wait_http(NE_PORT, "/", 120, unit)
    get(NE_PORT, "/metrics")  # warm-up: the first scrape connects to systemd
    lat = []
    c0 = cpu_usec(unit)
    for _ in range(scrapes):
        t = time.monotonic()
        body = get(NE_PORT, "/metrics", headers={"Accept-Encoding": "gzip"})
        lat.append(time.monotonic() - t)
    c1 = cpu_usec(unit)
    rss = rss_kib(unit)
    plain = get(NE_PORT, "/metrics")
    units_seen = len(set(re.findall(r'^node_systemd_unit_state\{name="([^"]+)"', plain.decode(),
                                    re.M)))
    stop(unit)
    med = statistics.median(lat)
    row(n, "node_exporter", "scrape (systemd collector, %d units)" % units_seen,
        "median %.2f s over %d, CPU %.0f ms per scrape, %d KiB" % (
            med, scrapes, (c1 - c0) / 1000 / scrapes, len(plain) // 1024))
    row(n, "node_exporter", "RSS", "%.1f MiB" % (rss / 1024))
    add("node_exporter", n, "scrape_median_ms", med * 1000, "ms")
    add("node_exporter", n, "cpu_per_scrape_ms", (c1 - c0) / 1000 / scrapes, "ms")
    add("node_exporter", n, "rss_kib", rss, "KiB")
    add("node_exporter", n, "metrics_bytes", len(plain), "bytes")
    return med, (c1 - c0) / 1000 / scrapes, rss


NETDATA_CONF = """[global]
    run as user = root
    bind socket to IP = 127.0.0.1
    error log = syslog
    access log = none
[directories]
    cache = /var/cache/nd-bench
    lib = /var/lib/nd-bench
    log = /var/log/nd-bench
[web]
    default port = %d
[plugins]
    enable running new plugins = no
    cgroups = yes
    proc = no
    diskspace = no
    tc = no
    idlejitter = no
    timex = no
    checks = no
    statsd = no
    apps = no
    charts.d = no
    python.d = no
    go.d = no
    ebpf = no
    netdata monitoring = no
[health]
    enabled = no
[ml]
    enabled = no
[plugin:cgroups]
    max cgroups to allow = 5000
""" % ND_PORT


def netdata_services():
    """Services netdata charts: dimensions of its services.cpu chart."""
    try:
        chart = json.loads(get(ND_PORT, "/api/v1/chart?chart=services.cpu", timeout=60))
        return len(chart.get("dimensions", {}))
    except (OSError, ValueError):
        return 0


def bench_netdata(n, loaded):
    unit = "nd-bench.service"
    conf = "/run/netdata-bench.conf"
    open(conf, "w").write(NETDATA_CONF)
    for d in ("/var/cache/nd-bench", "/var/lib/nd-bench", "/var/log/nd-bench"):
        os.makedirs(d, exist_ok=True)
    start_transient(unit, ["/usr/sbin/netdata", "-D", "-c", conf])
    t0 = time.monotonic()
    wait_http(ND_PORT, "/api/v1/info", 300, unit)
    # Until it charts every service (it looks for new cgroups every 10 s): at most 10 min,
    # and no longer than 40 s without a new one.
    seen, last_change = 0, time.monotonic()
    while time.monotonic() - t0 < 600 and time.monotonic() - last_change < 40:
        now_seen = netdata_services()
        if now_seen != seen:
            seen, last_change = now_seen, time.monotonic()
        if seen >= n:
            break
        time.sleep(5)
    discover_s = time.monotonic() - t0
    time.sleep(10)
    c0, t1 = cpu_usec(unit), time.monotonic()
    time.sleep(NETDATA_WINDOW)
    c1, elapsed = cpu_usec(unit), time.monotonic() - t1
    rss = rss_kib(unit)
    stop(unit)
    per_s = (c1 - c0) / 1000 / elapsed
    row(n, "netdata", "cgroups collection (%d services charted)" % seen,
        "CPU %.0f ms per 1 s update (%.1f%% of a core); all charted after %.0f s" % (
            per_s, per_s / 10, discover_s))
    row(n, "netdata", "RSS", "%.1f MiB" % (rss / 1024))
    add("netdata", n, "cpu_per_second_ms", per_s, "ms")
    add("netdata", n, "services_charted", seen, "services")
    add("netdata", n, "rss_kib", rss, "KiB")
    return per_s, rss


def journal_of(unit):
    log(sh("systemctl", "status", "--no-pager", "-l", unit, check=False))
    log(sh("journalctl", "-u", unit, "--no-pager", "-n", "40", "-o", "short-monotonic",
           check=False))


def phase(name, unit, fn, *args):
    """Runs one tool's measurements; a failure is reported with the unit's journal and the
    run goes on with the next tool."""
    if name not in PHASES:
        return None
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - any failure of one tool must not end the run
        log("  %s FAILED: %s: %s" % (name, type(e).__name__, e))
        TABLE.append((args[0], name, "FAILED", "%s: %s" % (type(e).__name__, e)))
        if unit:
            journal_of(unit)
            stop(unit)
        return None


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    log("guest: %s, %s, %d CPUs" % (os.uname().release, sh("systemctl", "--version")
                                     .splitlines()[0], os.cpu_count()))
    for n in SIZES:
        log("\n==== %d services ====" % n)
        loaded = grow_services(n)
        add("guest", n, "services_loaded", loaded, "services")
        if n in PERSIST_SIZES:
            phase("unitwatch", "uwd-bench-persist.service", bench_unitwatch_persisted, n)
        scored = phase("unitwatch", "uwd-bench.service", bench_unitwatch, n) or (0, None)
        phase("rssdiag", "uwd-rss.service", bench_rss_variants, n)
        if os.access(BENCH_COLLECT, os.X_OK):
            phase("floor", None, bench_floor, n)
        phase("scoring", None, bench_scoring, n, scored)
        if n not in PEER_SIZES:
            continue
        if os.access("/usr/bin/prometheus-node-exporter", os.X_OK):
            phase("node_exporter", "ne-bench.service", bench_node_exporter, n,
                  3 if n >= 500 else 5)
        else:
            log("  node_exporter: not in this image")
        if os.access("/usr/sbin/netdata", os.X_OK):
            phase("netdata", "nd-bench.service", bench_netdata, n, loaded)
        else:
            log("  netdata: not in this image")

    with open(os.path.join(SHARE, "bench-vm.json"), "w") as f:
        json.dump(RESULTS, f, indent=1)
    print("\n==== results (guest under TCG: compare ratios, not absolute times) ====")
    for units, tool, what, text in TABLE:
        print("%6d  %-13s %-44s %s" % (units, tool, what, text))


if __name__ == "__main__":
    main()
