#!/usr/bin/env bash
# Checks what `make install` lays down: the files in their places under DESTDIR, the unit's
# paths following PREFIX, the default config valid, an existing config kept, and the man
# page naming every flag the daemon's --help, `security --help` and `top --help` print.
# Usage: tests/packaging-check.sh BUILD/unitwatchd
set -euo pipefail

binary=$(readlink -f "${1:?usage: $0 BUILD/unitwatchd}")
top=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/..
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() { # check NAME COMMAND...: one verdict line per check
        local name=$1
        shift
        if out=$("$@" 2>&1); then
                echo "PASS $name"
                passed=$((passed + 1))
        else
                echo "FAIL $name: $out"
                failed=$((failed + 1))
        fi
}

make -s install DESTDIR="$tmp/root" PREFIX=/usr >/dev/null
make -s install PREFIX="$tmp/opt" >/dev/null

has_files() {
        local f
        for f in "$@"; do
                [[ -f $f ]] || { echo "missing $f"; return 1; }
        done
}
check "install under DESTDIR with PREFIX=/usr" has_files "$tmp/root/usr/bin/unitwatchd" \
        "$tmp/root/usr/lib/systemd/system/unitwatchd.service" \
        "$tmp/root/usr/share/man/man8/unitwatchd.8" "$tmp/root/etc/unitwatch/config.json" \
        "$tmp/root/usr/lib/sysusers.d/unitwatch.conf"
check "install with PREFIX=DIR keeps everything in DIR" has_files "$tmp/opt/bin/unitwatchd" \
        "$tmp/opt/lib/systemd/system/unitwatchd.service" "$tmp/opt/etc/unitwatch/config.json"

unit_paths() { # unit_paths UNIT BIN CONFIG
        grep -qx "ExecStart=$2 --config $3" "$1" || { grep ExecStart "$1"; return 1; }
}
check "the unit runs the installed binary with the installed config (/usr)" \
        unit_paths "$tmp/root/usr/lib/systemd/system/unitwatchd.service" /usr/bin/unitwatchd \
        /etc/unitwatch/config.json
check "the unit runs the installed binary with the installed config (PREFIX=DIR)" \
        unit_paths "$tmp/opt/lib/systemd/system/unitwatchd.service" "$tmp/opt/bin/unitwatchd" \
        "$tmp/opt/etc/unitwatch/config.json"
check "the default config is valid" "$binary" --config "$tmp/root/etc/unitwatch/config.json" \
        --check-config

keeps_config() {
        echo '{"interval": 3}' >"$tmp/root/etc/unitwatch/config.json"
        make -s install DESTDIR="$tmp/root" PREFIX=/usr >/dev/null
        grep -q '"interval": 3' "$tmp/root/etc/unitwatch/config.json"
}
check "a second install keeps an edited config" keeps_config

man_names_flags() {
        local flag missing=0
        for flag in $( ("$binary" --help; "$binary" security --help; "$binary" top --help) |
                grep -oE -- '--[a-z][a-z-]+' | sort -u); do
                # roff writes a dash as \-
                grep -qF -- "${flag//-/\\-}" packaging/unitwatchd.8 ||
                        { echo "the man page lacks $flag"; missing=1; }
        done
        return $missing
}
check "the man page names every flag of --help" man_names_flags

if command -v groff >/dev/null; then
        check "the man page renders without warnings" \
                bash -c "! groff -man -ww -z packaging/unitwatchd.8 2>&1 | grep ."
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
