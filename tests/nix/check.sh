#!/usr/bin/env bash
# Checks of the Nix packaging (packaging/package.nix, packaging/nixos-module.nix):
#   1. both files parse (nix-instantiate --parse);
#   2. the module's serviceConfig, as written, carries every [Service] setting of
#      packaging/unitwatchd.service and no other;
#   3. with NIXPKGS_LIB set to a nixpkgs `lib` directory, the module is evaluated for real
#      (tests/nix/eval.nix) and its service, user, firewall, IP allow-list, assertions and
#      config files are checked; the build step that runs `unitwatchd --check-config` on
#      each generated file is run too (it must pass, and fail on a key the daemon refuses).
# CI has no nixpkgs (nothing but apt there), so step 3 runs where a copy of its lib is at hand.
# Runs as root or not, without a Nix daemon and without /nix: all of Nix's state goes to a
# temporary directory. UNITWATCHD (default build/unitwatchd, when built) also validates
# the generated config file with --check-config.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."

for tool in nix-instantiate python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "nix-check: $tool not found (Debian: apt-get install nix-bin python3)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
# The store's files are read-only, as in any Nix store.
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

# Nix would otherwise open (and as root create) /nix/store and /nix/var, and read
# /etc/nix/nix.conf. The store below is used only by the evaluation, to hold the generated
# config files and the package's filtered source.
export NIX_STATE_DIR="$tmp/state" NIX_LOG_DIR="$tmp/log" NIX_CONF_DIR="$tmp/conf"
export NIX_STORE_DIR="$tmp/store" XDG_CACHE_HOME="$tmp/cache"
unset NIX_REMOTE NIX_PATH
mkdir -p "$NIX_CONF_DIR"
nix_opts=(--option build-users-group '')

echo "== nix-instantiate --parse ($(nix-instantiate --version))"
for f in packaging/package.nix packaging/nixos-module.nix tests/nix/eval.nix; do
  # The parser needs no store at all.
  nix-instantiate "${nix_opts[@]}" --store dummy:// --parse "$f" >/dev/null
  echo "ok: $f parses"
done

echo "== serviceConfig against packaging/unitwatchd.service (as written)"
python3 tests/nix/check.py text packaging/unitwatchd.service packaging/nixos-module.nix

echo "== the module evaluated with nixpkgs' lib"
if [ -z "${NIXPKGS_LIB:-}" ]; then
  echo "skipped: NIXPKGS_LIB is not set (point it at a nixpkgs 'lib' directory to evaluate the module)"
  exit 0
fi
if [ ! -f "$NIXPKGS_LIB/default.nix" ]; then
  echo "nix-check: NIXPKGS_LIB='$NIXPKGS_LIB' has no default.nix" >&2
  exit 1
fi

# --read-write-mode: builtins.toFile must really write the config files for the checks.
nix-instantiate "${nix_opts[@]}" --read-write-mode --eval --strict --json \
  tests/nix/eval.nix --argstr libDir "$(readlink -f "$NIXPKGS_LIB")" >"$tmp/eval.json"

unitwatchd=${UNITWATCHD:-build/unitwatchd}
if [ -x "$unitwatchd" ]; then
  python3 tests/nix/check.py eval packaging/unitwatchd.service "$tmp/eval.json" "$unitwatchd"
else
  echo "note: $unitwatchd not built, the generated config is not run through --check-config"
  python3 tests/nix/check.py eval packaging/unitwatchd.service "$tmp/eval.json"
fi
