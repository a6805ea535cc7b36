#!/usr/bin/env python3
"""Compares the NixOS module with packaging/unitwatchd.service, for tests/nix/check.sh.

  check.py text UNIT MODULE            the module's serviceConfig as written in the .nix file
  check.py eval UNIT EVAL_JSON [UNITWATCHD]
                                       what tests/nix/eval.nix printed, with a real nixpkgs lib

Both say what differs and exit 1 when anything does.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

# Keys that differ between the unit and the module on purpose (the store paths), and keys
# the module sets only when an option asks for them.
OWN_KEYS = {"ExecStart", "ExecReload"}
OPTIONAL_KEYS = {"EnvironmentFile", "LoadCredential"}
# The config keys unitwatchd parses today (daemon/config.c, load_key).
DAEMON_KEYS = {"listen", "interval", "cgroup_root", "sysfs_root", "state_dir", "bus", "no_bus",
               "log_level", "units", "memory_stat_all", "hardening", "alerts"}
# tests/nix/eval.nix's stand-in for the package's program.
STUB_PROGRAM = "/stub/unitwatch/bin/unitwatchd"

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL: {msg}")


def norm(value):
    """One systemd setting as a list of assignments, booleans spelled one way."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, bool):
            v = "yes" if v else "no"
        v = str(v)
        low = v.lower()
        if low in ("yes", "true", "on"):
            v = "yes"
        elif low in ("no", "false", "off"):
            v = "no"
        out.append(v)
    return out


def unit_service_section(path):
    """key -> list of assignments of the [Service] section, in order."""
    settings, section = {}, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if section != "Service":
                continue
            key, sep, value = line.partition("=")
            if not sep:
                fail(f"{path}: cannot read line {line!r}")
                continue
            settings.setdefault(key.strip(), []).append(value.strip())
    if not settings:
        fail(f"{path}: no [Service] section")
    return settings


def nix_literal(text):
    """The value of a simple Nix expression as written in the module, or None if it is not one.

    `[ "a" ] ++ cfg.x` or `[ "a" ] ++ x` counts as its literal part: such extras default to
    empty."""
    text = re.sub(r"\s*\+\+\s*[\w.]+\s*$", "", text.strip())
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    m = re.fullmatch(r'"((?:[^"\\$]|\\.)*)"', text)
    if m:
        return m.group(1)
    if text.startswith("[") and text.endswith("]"):
        items = re.findall(r'"((?:[^"\\$]|\\.)*)"', text)
        rest = re.sub(r'"((?:[^"\\$]|\\.)*)"', "", text[1:-1]).strip()
        return items if not rest else None
    return None


def module_service_config_text(path):
    """key -> Nix source text of each entry of the module's `serviceConfig = { ... };`."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"^(\s*)serviceConfig = \{\n(.*?)^\1\};", src, re.S | re.M)
    if not m:
        fail(f"{path}: no serviceConfig block")
        return {}
    body = re.sub(r"#[^\n]*", "", m.group(2))
    entries = {}
    # Entries end with `;` at the end of a line; nested blocks are read as text.
    for em in re.finditer(r"^\s*(\w+)\s*=\s*(.*?);\s*$", body, re.S | re.M):
        entries[em.group(1)] = em.group(2)
    return entries


def compare(unit, module, allowed_extra_ips=()):
    """Every unit setting equal in the module's serviceConfig, and nothing more."""
    for key, values in unit.items():
        if key in OWN_KEYS:
            continue
        if key not in module:
            fail(f"{key}= is in unitwatchd.service but not in the module")
            continue
        want = norm(values)
        got = norm(module[key])
        if key == "IPAddressAllow":
            extra = list(allowed_extra_ips)
            if got != want + extra:
                fail(f"IPAddressAllow: module has {got}, expected {want + extra}")
            continue
        if got != want:
            fail(f"{key}: module has {got}, unitwatchd.service has {want}")
    for key in module:
        if key not in unit and key not in OWN_KEYS and key not in OPTIONAL_KEYS:
            fail(f"{key} is in the module's serviceConfig but not in unitwatchd.service")


def check_text(unit_path, module_path):
    unit = unit_service_section(unit_path)
    entries = module_service_config_text(module_path)
    module = {}
    for key, text in entries.items():
        if key in OWN_KEYS or key in OPTIONAL_KEYS:
            module[key] = text
            continue
        value = nix_literal(text)
        if value is None:
            fail(f"{key}: cannot read the module's value {text!r} as a literal")
            continue
        module[key] = value
    for key in OWN_KEYS:
        if key not in module:
            fail(f"the module's serviceConfig has no {key}")
    compare(unit, module)
    if not failures:
        print(f"ok: the module's serviceConfig (as written) matches the {len(unit) - 2} "
              "[Service] settings of unitwatchd.service")


def config_path_of(exec_start):
    m = re.search(r"--config (\S+)", exec_start)
    if not m:
        fail(f"ExecStart has no --config: {exec_start!r}")
        return None
    return m.group(1)


def build_check(script_path, unitwatchd, workdir):
    """Runs the stub runCommand's build script as Nix would, the stub program replaced by the
    real unitwatchd. (returncode, output, path of $out)."""
    with open(script_path, encoding="utf-8") as f:
        script = f.read()
    out = os.path.join(workdir, os.path.basename(script_path) + ".out")
    run = subprocess.run(["bash", "-euc", script.replace(STUB_PROGRAM, unitwatchd)],
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "out": out},
                         capture_output=True, text=True, check=False)
    return run.returncode, (run.stdout + run.stderr).strip(), out


def config_of(what, exec_start, unitwatchd, workdir, checked=True):
    """The config file ExecStart names, as JSON. With checkConfig the path is the output of a
    build step (tests/nix/eval.nix hands back its script): the step must run unitwatchd
    --check-config, and with UNITWATCHD given it is run and must pass."""
    path = config_path_of(exec_start)
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not checked:
        if path.endswith(".build-script"):
            fail(f"{what}: checkConfig = false still builds a checked config")
            return None
        return json.loads(text)
    if not path.endswith(".build-script"):
        fail(f"{what}: the config file is not checked at build time: {path}")
        return None
    m = re.search(re.escape(STUB_PROGRAM) + r" --config (\S+) --check-config\n", text)
    if not m:
        fail(f"{what}: the build step does not run unitwatchd --check-config: {text!r}")
        return None
    if not unitwatchd:
        with open(m.group(1), encoding="utf-8") as f:
            return json.load(f)
    rc, output, out = build_check(path, unitwatchd, workdir)
    if rc != 0:
        fail(f"{what}: the build step fails, unitwatchd --check-config says: {output}")
        return None
    print(f"ok: {what}: the build step's unitwatchd --check-config accepts the config")
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def expect(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, expected {want!r}")


def check_static_user(what, case):
    sc = case["service"]["serviceConfig"]
    expect(f"{what}: User", sc.get("User"), "unitwatch")
    expect(f"{what}: Group", sc.get("Group"), "unitwatch")
    if "DynamicUser" in sc:
        fail(f"{what}: DynamicUser is set next to the static user")
    user = case["users"].get("unitwatch", {})
    expect(f"{what}: users.users.unitwatch.isSystemUser", user.get("isSystemUser"), True)
    expect(f"{what}: users.users.unitwatch.group", user.get("group"), "unitwatch")
    if "unitwatch" not in case["groups"]:
        fail(f"{what}: no users.groups.unitwatch")


def check_eval(unit_path, eval_path, unitwatchd=None):
    unit = unit_service_section(unit_path)
    with open(eval_path, encoding="utf-8") as f:
        result = json.load(f)
    workdir = tempfile.mkdtemp(prefix="unitwatch-nix-check.")

    # Not enabled: no trace in the system.
    disabled = result["disabled"]
    expect("disabled: has a service", disabled["hasService"], False)
    expect("disabled: firewall ports", disabled["firewallPorts"], [])
    expect("disabled: users", disabled["users"], {})
    expect("disabled: failed assertions", disabled["failedAssertions"], [])

    # The case.
    basic = result["basic"]
    svc = basic["service"]
    sc = svc["serviceConfig"]
    expect("basic: failed assertions", basic["failedAssertions"], [])
    if not sc.get("ExecStart", "").startswith(STUB_PROGRAM + " --config "):
        fail(f"basic: ExecStart does not start with the package's program: {sc.get('ExecStart')!r}")
    expect("basic: ExecReload", sc.get("ExecReload"), "/stub/coreutils/bin/kill -HUP $MAINPID")
    expect("basic: Type", sc.get("Type"), "notify")
    check_static_user("basic", basic)
    compare(unit, sc, allowed_extra_ips=["10.0.0.0/8"])
    expect("basic: wantedBy", svc.get("wantedBy"), ["multi-user.target"])
    for target in ("network-online.target", "dbus.service"):
        if target not in svc.get("after", []):
            fail(f"basic: after lacks {target}")
    expect("basic: firewall ports", basic["firewallPorts"], [])

    cfg = config_of("basic", sc.get("ExecStart", ""), unitwatchd, workdir)
    if cfg is not None:
        expect("basic: config listen", cfg.get("listen"), ["127.0.0.1:9839"])
        expect("basic: config interval", cfg.get("interval"), 5)
        expect("basic: config alerts", cfg.get("alerts"), {
            "rules": {}, "overrides": [], "resolved_retention": 900,
            "alertmanager": {"urls": [], "resend_interval": 60, "timeout": 5}})
        unknown = sorted(set(cfg) - DAEMON_KEYS)
        if unknown:
            fail(f"basic: the config file has keys the daemon refuses: {unknown}")

    # The other options.
    custom = result["custom"]
    sc = custom["service"]["serviceConfig"]
    expect("custom: failed assertions", custom["failedAssertions"], [])
    # The Alertmanagers named by an IP literal are allowed by themselves; the one named by a
    # host name is not (its address is unknown until it is resolved).
    compare(unit, sc, allowed_extra_ips=["192.0.2.9", "2001:db8::9"])
    check_static_user("custom", custom)
    expect("custom: firewall ports", custom["firewallPorts"], [9900])
    expect("custom: EnvironmentFile", sc.get("EnvironmentFile"), "/run/keys/unitwatch.env")
    expect("custom: LoadCredential", sc.get("LoadCredential"),
           "bearer-token:/run/keys/unitwatch-token")
    exec_start = sc.get("ExecStart", "")
    if not re.search(r"--config \S+ --token-file %d/bearer-token '?--log-level'? '?debug'?$",
                     exec_start):
        fail(f"custom: the token's credential and then extraFlags do not end ExecStart: "
             f"{exec_start!r}")
    cfg = config_of("custom", exec_start, unitwatchd, workdir)
    if cfg is not None:
        expect("custom: config listen", cfg.get("listen"), ["[::1]:9900"])
        expect("custom: config interval", cfg.get("interval"), 10)
        expect("custom: config units.exclude", cfg.get("units", {}).get("exclude"),
               ["user@*.service"])
        alerts = cfg.get("alerts", {})
        expect("custom: config alerts.rules", alerts.get("rules"), {
            "MemoryNearLimit": {"threshold": 0.95, "clear": 0.9, "for": 60},
            "ExposureAboveThreshold": {"enabled": True}})
        expect("custom: config alerts.overrides", alerts.get("overrides"),
               [{"units": "backup-*.service", "rule": "CPUThrottled", "enabled": False}])
        expect("custom: config alerts.alertmanager", alerts.get("alertmanager"), {
            "urls": ["http://192.0.2.9:9093", "https://[2001:db8::9]:9093/",
                     "http://alertmanager.example:9093"],
            "resend_interval": 30, "timeout": 5})
        expect("custom: config alerts.host", alerts.get("host"), "web-1")
        unknown = sorted(set(cfg) - DAEMON_KEYS)
        if unknown:
            fail(f"custom: the config file has keys the daemon refuses: {unknown}")
        if "unitwatch-token" in json.dumps(cfg):
            fail("custom: the bearer token's path is in the config file")

    # The old top-level option: an assertion points to the new one, and the daemon itself
    # refuses the key at build time should the assertion ever go.
    stale = result["staleAlertmanager"]
    if not any("settings.alerts.alertmanager" in m for m in stale["failedAssertions"]):
        fail(f"staleAlertmanager: no assertion names the new option: {stale['failedAssertions']}")
    if unitwatchd:
        path = config_path_of(stale["service"]["serviceConfig"].get("ExecStart", ""))
        if path:
            rc, output, _ = build_check(path, unitwatchd, workdir)
            if rc == 0 or "alertmanager" not in output:
                fail(f"staleAlertmanager: the build step passes a top-level 'alertmanager' "
                     f"(exit {rc}: {output})")
            else:
                print("ok: the build step fails on a key the daemon refuses: " +
                      output.splitlines()[-1])

    many = result["tooManyUrls"]
    if not any("at most 8" in m for m in many["failedAssertions"]):
        fail(f"tooManyUrls: nine Alertmanager URLs pass: {many['failedAssertions']}")

    expect("allowedIPs: addresses and prefixes accepted, a host name and a space refused",
           result["allowedIPsAccepted"], [True, False, False])

    unchecked = result["unchecked"]
    cfg = config_of("unchecked", unchecked["service"]["serviceConfig"].get("ExecStart", ""),
                    unitwatchd, workdir, checked=False)
    if cfg is not None:
        expect("unchecked: config listen", cfg.get("listen"), ["127.0.0.1:9839"])

    # The package, read back through callPackage's arguments.
    pkg = result["package"]
    expect("package: mainProgram", pkg["mainProgram"], "unitwatchd")
    expect("package: license", pkg["license"], "MIT")
    expect("package: doCheck", pkg["doCheck"], True)
    src = pkg["src"]
    for name in ("Makefile", "daemon/main.c", "tests/unit"):
        if not os.path.exists(os.path.join(src, name)):
            fail(f"package: the source has no {name}")
    for name in ("build", ".git"):
        if os.path.exists(os.path.join(src, name)):
            fail(f"package: the source still has {name}")
    syntax = subprocess.run(["bash", "-n"], input=pkg["checkPhase"], text=True,
                            capture_output=True, check=False)
    if syntax.returncode != 0:
        fail(f"package: checkPhase is not valid shell: {syntax.stderr.strip()}")

    subprocess.run(["rm", "-rf", workdir], check=False)
    if not failures:
        print("ok: the evaluated module matches unitwatchd.service and gives the expected "
              "config files, IP allow-lists and assertions; the package's source leaves out "
              "build/ and .git")


def main(argv):
    if len(argv) >= 4 and argv[1] == "text":
        check_text(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "eval":
        check_eval(argv[2], argv[3], argv[4] if len(argv) > 4 else None)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
