#!/usr/bin/env bash
# Boot the unitwatch test guest once and run SHARE_DIR/guest-run.sh inside it.
#
# usage: run-vm.sh [--hostfwd HOST_PORT:GUEST_PORT]... SHARE_DIR [TIMEOUT_SECONDS]
#
# --hostfwd gives the guest qemu's user-mode network (the guest is 10.0.2.15, the host 10.0.2.2;
# the guest configures it itself) and forwards 127.0.0.1:HOST_PORT on the host to GUEST_PORT in
# the guest. Without it the guest has no network at all. SIGINT/SIGTERM stop qemu and exit 130.
#
# SHARE_DIR is shared read-write into the guest as /mnt/host (9p, mount tag host0). A unit
# baked into the image (see build-image.sh) runs /mnt/host/guest-run.sh as root once the
# boot has settled, writes its stdout+stderr to SHARE_DIR/guest.log and its exit status to
# SHARE_DIR/guest.rc, and powers the guest off. This script then prints guest.log and exits
# with the guest's status. The root disk is a throwaway snapshot; a blank 256 MiB scratch
# disk is attached as the guest's /dev/vdb for IO tests.
#
# The serial console goes to SHARE_DIR/console.log (kept; its tail is printed on failure).
#
# Environment:
#   UNITWATCH_VM_ACCEL   tcg or kvm (default: kvm only if the CPU offers vmx/svm and
#                        /dev/kvm is usable, else tcg)
#   UNITWATCH_VM_IMAGE   image directory (default: whatever build-image.sh prints)
#   UNITWATCH_VM_MEM     guest memory in MiB (default 1024)
#   UNITWATCH_VM_CPUS    guest vCPUs (default 2)
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

log() {
        printf 'run-vm: %s\n' "$*" >&2
}

die() {
        log "error: $*"
        exit 1
}

usage() {
        echo "usage: $0 [--hostfwd HOST_PORT:GUEST_PORT]... SHARE_DIR [TIMEOUT_SECONDS]" >&2
        exit 2
}

# kvm only when the host CPU really has hardware virtualisation and /dev/kvm opens: a
# paravirtual /dev/kvm without vmx/svm underneath cannot run a stock kernel (it hangs).
pick_accel() {
        case ${UNITWATCH_VM_ACCEL:-} in
        tcg | kvm)
                echo "$UNITWATCH_VM_ACCEL"
                return
                ;;
        "") ;;
        *) die "UNITWATCH_VM_ACCEL must be tcg or kvm, not '$UNITWATCH_VM_ACCEL'" ;;
        esac
        if grep -qwE 'vmx|svm' /proc/cpuinfo && [[ -r /dev/kvm && -w /dev/kvm ]]; then
                echo kvm
        else
                echo tcg
        fi
}

print_tail() {
        local what=$1 file=$2 n=${3:-60}
        if [[ -s $file ]]; then
                echo "----- last $n lines of $what ($file) -----" >&2
                tail -n "$n" "$file" >&2
                echo "----- end of $what -----" >&2
        else
                echo "($what $file is empty or missing)" >&2
        fi
}

main() {
        local nic=(-nic none) fwd=""
        while [[ ${1:-} == --hostfwd ]]; do
                [[ ${2:-} =~ ^[0-9]+:[0-9]+$ ]] || die "--hostfwd wants HOST_PORT:GUEST_PORT, not '${2:-}'"
                fwd+=",hostfwd=tcp:127.0.0.1:${2%%:*}-:${2##*:}"
                shift 2
        done
        [[ -n $fwd ]] && nic=(-nic "user,model=virtio-net-pci,restrict=on$fwd")
        (($# >= 1 && $# <= 2)) || usage
        local share timeout_s
        share=$(readlink -f "$1")
        timeout_s=${2:-600}
        [[ -d $share ]] || die "share directory '$1' does not exist"
        [[ -f $share/guest-run.sh ]] || die "no guest-run.sh in '$share'"
        [[ $timeout_s =~ ^[0-9]+$ ]] || die "timeout must be a number of seconds, not '$timeout_s'"
        command -v qemu-system-x86_64 >/dev/null ||
                die "qemu-system-x86_64 not found (apt-get install qemu-system-x86 qemu-utils)"

        local image
        image=${UNITWATCH_VM_IMAGE:-$("$HERE/build-image.sh" | tail -n 1)}
        [[ -f $image/disk.raw && -f $image/vmlinuz && -f $image/initrd.img ]] ||
                die "incomplete image directory '$image'"

        local accel
        accel=$(pick_accel)
        local accel_args=()
        if [[ $accel == kvm ]]; then
                accel_args=(-accel kvm -cpu host)
        else
                # Multi-threaded TCG: one host thread per vCPU.
                accel_args=(-accel tcg,thread=multi -cpu max)
        fi

        # Results of a previous run in the same share must not be mistaken for this one's.
        rm -f "$share/guest.log" "$share/guest.rc" "$share/guest.rc.tmp" "$share/console.log"

        # Global, not local: the EXIT trap runs after main's variables are gone.
        VM_TMP=$(mktemp -d "${TMPDIR:-/tmp}/unitwatch-vm.XXXXXX")
        trap 'rm -rf "$VM_TMP"' EXIT
        local tmp=$VM_TMP
        truncate -s 256M "$tmp/scratch.raw"

        local console=$share/console.log
        log "booting $(basename "$image") with $accel, ${UNITWATCH_VM_CPUS:-2} vCPUs," \
            "${UNITWATCH_VM_MEM:-1024} MiB, timeout ${timeout_s}s, console in $console"

        # The root disk is opened with snapshot=on: writes go to a temporary overlay and the
        # cached image is never modified. The first virtio disk is the guest's vda (root,
        # found by UUID anyway), the second its vdb (scratch).
        # qemu runs in the background so that a Ctrl-C (make demo) stops it here.
        local qemu_rc=0 stopped=0
        timeout --kill-after=10 "$timeout_s" \
                qemu-system-x86_64 \
                "${accel_args[@]}" \
                -machine q35 \
                -smp "${UNITWATCH_VM_CPUS:-2}" -m "${UNITWATCH_VM_MEM:-1024}" \
                -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
                -append "$(cat "$image/cmdline")" \
                -drive "file=$image/disk.raw,format=raw,if=virtio,snapshot=on" \
                -drive "file=$tmp/scratch.raw,format=raw,if=virtio" \
                -fsdev "local,id=host0,path=$share,security_model=none" \
                -device virtio-9p-pci,fsdev=host0,mount_tag=host0 \
                "${nic[@]}" \
                -display none -monitor none -serial "file:$console" \
                -no-reboot \
                </dev/null &
        local qemu_pid=$!
        trap 'stopped=1; kill -TERM "$qemu_pid" 2>/dev/null' INT TERM
        while :; do
                qemu_rc=0
                wait "$qemu_pid" || qemu_rc=$?
                kill -0 "$qemu_pid" 2>/dev/null || break
        done
        trap - INT TERM
        if ((stopped)); then
                log "stopped: qemu terminated"
                exit 130
        fi

        if ((qemu_rc == 124 || qemu_rc == 137)); then
                print_tail "guest log" "$share/guest.log"
                print_tail "serial console" "$console"
                die "timeout: the guest did not power off within ${timeout_s}s, qemu killed"
        fi
        if ((qemu_rc != 0)); then
                print_tail "serial console" "$console"
                die "qemu exited with status $qemu_rc"
        fi
        if [[ ! -f $share/guest.rc ]]; then
                print_tail "guest log" "$share/guest.log"
                print_tail "serial console" "$console"
                die "the guest powered off without writing guest.rc (runner did not run or crashed)"
        fi

        [[ -f $share/guest.log ]] && cat "$share/guest.log"
        local guest_rc
        guest_rc=$(cat "$share/guest.rc")
        [[ $guest_rc =~ ^[0-9]+$ ]] || die "guest.rc holds '$guest_rc', not an exit status"
        if ((guest_rc != 0)); then
                print_tail "serial console" "$console" 30
                log "guest-run.sh exited with status $guest_rc"
        fi
        exit "$guest_rc"
}

main "$@"
