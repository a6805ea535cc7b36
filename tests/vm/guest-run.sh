#!/usr/bin/env bash
# Runs inside the test guest as root, from the host share mounted on /mnt/host (the image's
# unitwatch-guest-run.service starts it once the boot has settled; its output becomes
# guest.log on the host, its exit status guest.rc).
#
# First records facts about the guest that the notes need, then runs the scenarios.
set -euo pipefail

SHARE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
export UNITWATCHD=$SHARE/unitwatchd
export UNITWATCH_RESULTS=$SHARE/results.txt
rm -f "$UNITWATCH_RESULTS"

section() {
        printf '\n==== %s ====\n' "$*"
}

section "guest"
uname -r
systemctl --version | head -n 1
echo "system state: $(systemctl is-system-running || true)"
systemd-analyze time || true
systemctl --failed --no-pager --plain --no-legend || true

section "cat /sys/fs/cgroup/cgroup.subtree_control"
cat /sys/fs/cgroup/cgroup.subtree_control
section "cat /sys/fs/cgroup/system.slice/cgroup.subtree_control"
cat /sys/fs/cgroup/system.slice/cgroup.subtree_control

section "systemd-analyze security"
systemd-analyze security --no-pager || true

section "unitwatchd"
if [[ -x $UNITWATCHD ]]; then
        # A missing shared library shows here rather than as a puzzling exit 127 later.
        if ldd "$UNITWATCHD" | grep 'not found'; then
                echo "unitwatchd needs libraries the image lacks (add them in build-image.sh)"
        fi
        "$UNITWATCHD" --version 2>&1 || true
else
        echo "$UNITWATCHD is missing"
fi

# The suites in suites.txt (check.sh: scenarios/sNN_*.py in name order): s10 one-shot
# snapshots, s20 the running daemon, then the later tiers (each brings the daemon up itself
# if it needs it).
rc=0
while read -r suite; do
        section "scenarios: $suite"
        python3 "$SHARE/scenarios/$suite.py" || rc=1
done <"$SHARE/suites.txt"
exit $rc
