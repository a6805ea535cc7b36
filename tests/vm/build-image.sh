#!/usr/bin/env bash
# Build (or reuse from the cache) the Debian 12 guest image for the VM test tier.
#
# Output, printed as the last line on stdout: the directory holding
#   disk.raw     raw ext4 root filesystem (no partition table), booted read-only
#                through a qemu snapshot
#   vmlinuz      kernel, for qemu -kernel
#   initrd.img   initramfs, for qemu -initrd
#   cmdline      kernel command line to boot disk.raw
#   manifest     what went into the image (packages with versions)
#
# Everything is built from Debian's own packages: debootstrap of bookworm from the
# mirror apt is configured with, then a little guest configuration written as plain
# files. No loop mounts: the filesystem image is made with `mke2fs -d`.
#
# Cache layout (outside the clone, so a fresh checkout reuses it):
#   $CACHE/rootfs-<key1>.tar   installed debootstrap tree, before configuration;
#                              key1 hashes the suite, mirror and package list
#   $CACHE/image-<key2>/       the final image; key2 hashes key1 and this script
# Both are written under a temporary name and renamed when complete, so an interrupted
# build never leaves something that looks finished.
#
# Environment:
#   UNITWATCH_VM_CACHE    cache directory (default ${XDG_CACHE_HOME:-/var/cache}/unitwatch-vm)
#   UNITWATCH_VM_MIRROR   Debian mirror URL (default: the one apt uses on this host)
#   UNITWATCH_VM_REBUILD  set to 1 to ignore the cached image (the rootfs tar is still reused;
#                         delete the cache directory to debootstrap afresh)
#   UNITWATCH_VM_EXTRA_PACKAGES  more Debian packages, space-separated (vm-bench adds the
#                         peers it compares with); a separate cached tree and image. Their
#                         services are disabled in the image: whoever needs one starts it.
set -euo pipefail

readonly SUITE=bookworm
readonly ARCH=amd64
readonly IMAGE_SIZE=2G
# Fixed identity of the guest: tests may compare against these.
readonly MACHINE_ID=5c1d0e6b7a2f4e3c9d8b1a0f2e4c6d8a
readonly ROOT_UUID=6f3c2a9e-1b4d-4e8f-a7c5-0d2e9b8f1a36

# debootstrap resolves the dependencies of these (not their Recommends).
readonly PACKAGES=(
        systemd systemd-sysv dbus udev
        linux-image-amd64 initramfs-tools kmod zstd
        python3 util-linux procps coreutils
        # runtime libraries of build/unitwatchd
        libsystemd0 libmicrohttpd12 libjansson4 libcurl4
        # the alerting scenarios' peer
        prometheus-alertmanager
        # the terminal view scenario (unitwatchd top under tmux)
        tmux
)
read -r -a EXTRA_PACKAGES <<<"${UNITWATCH_VM_EXTRA_PACKAGES:-}"
readonly EXTRA_PACKAGES

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
CACHE=${UNITWATCH_VM_CACHE:-${XDG_CACHE_HOME:-/var/cache}/unitwatch-vm}

# Temporary directories to remove on exit, whether the build succeeded or not.
CLEANUP=()
cleanup() {
        local d
        for d in "${CLEANUP[@]}"; do
                rm -rf "$d"
        done
}
trap cleanup EXIT

log() {
        printf 'build-image: %s\n' "$*" >&2
}

die() {
        log "error: $*"
        exit 1
}

# The first http(s) Debian mirror apt is configured with (deb822 or one-line format).
host_mirror() {
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
                [[ -r $f ]] || continue
                awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
                [[ -r $f ]] || continue
                awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break } }' "$f"
        done
}

pick_mirror() {
        if [[ -n ${UNITWATCH_VM_MIRROR:-} ]]; then
                echo "$UNITWATCH_VM_MIRROR"
                return
        fi
        # Skip the security archive: debootstrap wants the main archive.
        host_mirror | grep -v -- '-security' | grep -E '/debian/?$' | head -n 1
}

sha() {
        sha256sum | cut -c1-16
}

require_tools() {
        local t missing=()
        for t in debootstrap mke2fs tar sha256sum; do
                command -v "$t" >/dev/null || missing+=("$t")
        done
        ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (apt-get install debootstrap e2fsprogs)"
        [[ $(id -u) == 0 ]] || die "must run as root (debootstrap and mke2fs -d need to set ownership)"
}

# Stage 1: debootstrap into a temporary directory and keep it as a tar file.
build_rootfs_tar() {
        local mirror=$1 tar_path=$2
        local work
        work=$(mktemp -d "$CACHE/.rootfs.XXXXXX")
        CLEANUP+=("$work")

        local include
        include=$(IFS=,; echo "${PACKAGES[*]} ${EXTRA_PACKAGES[*]}" | tr ' ' ',' | sed 's/,*$//')
        log "debootstrap $SUITE from $mirror (variant minbase, +${#PACKAGES[@]} packages)"
        if ! debootstrap --variant=minbase --arch="$ARCH" --include="$include" \
                        "$SUITE" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
                tail -n 30 "$work/debootstrap.log" >&2
                [[ -f $work/root/debootstrap/debootstrap.log ]] &&
                        tail -n 30 "$work/root/debootstrap/debootstrap.log" >&2
                die "debootstrap failed"
        fi

        # Downloaded .debs are not needed in the image.
        rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
        tar --numeric-owner --xattrs --xattrs-include='*' -C "$work/root" -cf "$work/rootfs.tar" .
        mv -f "$work/rootfs.tar" "$tar_path"
}

# Stage 2 helpers: the guest configuration, written into the unpacked tree $R.
configure_guest() {
        local R=$1

        echo unitwatch-vm >"$R/etc/hostname"
        printf '127.0.0.1\tlocalhost\n127.0.1.1\tunitwatch-vm\n' >"$R/etc/hosts"
        # A machine-id makes this a "configured" system: no first-boot logic runs.
        echo "$MACHINE_ID" >"$R/etc/machine-id"
        printf 'UUID=%s / ext4 rw,errors=remount-ro 0 1\n' "$ROOT_UUID" >"$R/etc/fstab"
        # Root with no password: a test VM with no network; handy on the serial console.
        sed -i 's/^root:[^:]*:/root::/' "$R/etc/shadow"

        # Accounting for every service, so each gets cpu, io, memory and pids files.
        mkdir -p "$R/etc/systemd/system.conf.d"
        cat >"$R/etc/systemd/system.conf.d/50-unitwatch-accounting.conf" <<'EOF'
[Manager]
DefaultCPUAccounting=yes
DefaultIOAccounting=yes
DefaultMemoryAccounting=yes
DefaultTasksAccounting=yes
EOF
        # On kernels >= 4.15 systemd gets CPU usage from cpu.stat without the cpu controller,
        # so CPUAccounting alone does not enable it. An explicit CPUWeight for every service
        # does, which gives every service cgroup its cpu.max, cpu.weight and cpu.pressure.
        mkdir -p "$R/etc/systemd/system/service.d"
        cat >"$R/etc/systemd/system/service.d/50-unitwatch-cpu.conf" <<'EOF'
[Service]
CPUWeight=100
EOF

        # The host share: 9p over virtio. Loading the modules explicitly avoids depending on
        # udev having handled the virtio device before the test unit mounts the share.
        printf '9p\n9pnet\n9pnet_virtio\n' >"$R/etc/modules-load.d/unitwatch-9p.conf"
        mkdir -p "$R/mnt/host"

        # The runner: mounts the share, waits for boot to finish, runs guest-run.sh from the
        # host with its output and exit status written back to the share, powers off.
        cat >"$R/usr/local/sbin/unitwatch-guest-run" <<'EOF'
#!/bin/bash
# Baked into the unitwatch test image; started once per boot by unitwatch-guest-run.service.
set -u
SHARE=/mnt/host

console() { echo "unitwatch-guest-run: $*" >/dev/console; }

modprobe -a 9p 9pnet 9pnet_virtio 2>/dev/null
if ! mountpoint -q "$SHARE" &&
   ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host0 "$SHARE"; then
        console "cannot mount the host share 'host0' on $SHARE, powering off"
        systemctl --no-block poweroff
        exit 1
fi

# Let the boot transaction finish first so tests see a settled system ("degraded" is fine).
timeout 300 systemctl is-system-running --wait >/dev/null 2>&1

rc=0
if [ -f "$SHARE/guest-run.sh" ]; then
        console "running $SHARE/guest-run.sh"
        (cd "$SHARE" && exec bash "$SHARE/guest-run.sh") >"$SHARE/guest.log" 2>&1 || rc=$?
else
        echo "no guest-run.sh in the host share" >"$SHARE/guest.log"
        rc=127
fi
echo "$rc" >"$SHARE/guest.rc.tmp" && mv -f "$SHARE/guest.rc.tmp" "$SHARE/guest.rc"
sync
console "guest-run.sh exited with status $rc, powering off"
systemctl --no-block poweroff
EOF
        chmod 0755 "$R/usr/local/sbin/unitwatch-guest-run"

        # Type=simple so multi-user.target (and is-system-running) does not wait for the tests.
        cat >"$R/etc/systemd/system/unitwatch-guest-run.service" <<'EOF'
[Unit]
Description=unitwatch VM test runner (runs guest-run.sh from the host share)
After=basic.target systemd-modules-load.service

[Service]
Type=simple
ExecStart=/usr/local/sbin/unitwatch-guest-run
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
        systemctl --root="$R" enable unitwatch-guest-run.service >/dev/null 2>&1
        systemctl --root="$R" set-default multi-user.target >/dev/null 2>&1

        # No first-boot questions; nothing periodic that would disturb measurements.
        local u
        for u in systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer \
                 e2scrub_all.timer e2scrub_reap.service fstrim.timer \
                 systemd-tmpfiles-clean.timer dpkg-db-backup.timer; do
                systemctl --root="$R" mask "$u" >/dev/null 2>&1 || true
        done
        # Alertmanager is there for the alerting scenarios, which start it themselves: its
        # packaged service fails on a guest without a network (its cluster needs an address).
        systemctl --root="$R" disable prometheus-alertmanager.service >/dev/null 2>&1 || true
        # The extra packages' services (vm-bench's peers) must not run unless asked for: they
        # would disturb the measurements and the tests. Masked (NAME*.service for a package
        # NAME-...), so nothing pulls them in; the benchmark runs their binaries itself.
        local p svc
        for p in "${EXTRA_PACKAGES[@]}"; do
                for svc in "$R/lib/systemd/system/${p%%-*}"*.service; do
                        [[ -e $svc ]] || continue
                        systemctl --root="$R" mask "$(basename "$svc")" >/dev/null 2>&1 || true
                done
        done

        # A root shell on the serial console without login, for debugging by hand.
        mkdir -p "$R/etc/systemd/system/serial-getty@ttyS0.service.d"
        cat >"$R/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %I $TERM
EOF
}

# Stage 2: unpack, configure, make the ext4 image, extract kernel and initrd.
build_image() {
        local tar_path=$1 out=$2
        local work
        work=$(mktemp -d "$CACHE/.image.XXXXXX")
        CLEANUP+=("$work")

        mkdir "$work/root"
        tar --numeric-owner --xattrs --xattrs-include='*' -C "$work/root" -xf "$tar_path"
        configure_guest "$work/root"

        local kernel initrd
        kernel=$(ls "$work/root/boot/"vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
        initrd=$(ls "$work/root/boot/"initrd.img-* 2>/dev/null | sort -V | tail -n 1)
        [[ -n $kernel && -n $initrd ]] || die "no kernel or initrd in the debootstrap tree"
        install -m 0644 "$kernel" "$work/out/vmlinuz" -D
        install -m 0644 "$initrd" "$work/out/initrd.img"

        chroot "$work/root" dpkg-query -W -f '${Package} ${Version}\n' >"$work/out/manifest"
        echo "root=UUID=$ROOT_UUID rw console=ttyS0,115200 systemd.unified_cgroup_hierarchy=1" \
             "panic=-1 mitigations=off loglevel=4" >"$work/out/cmdline"

        log "making ext4 image ($IMAGE_SIZE, sparse) with mke2fs -d"
        mke2fs -q -t ext4 -L unitwatch-root -U "$ROOT_UUID" -E root_owner=0:0 \
               -d "$work/root" "$work/out/disk.raw" "$IMAGE_SIZE" >&2

        rm -rf "$work/root"
        mv "$work/out" "$out.tmp.$$"
        # rename(2) of a directory is atomic; if another build won the race, keep its copy.
        mv -T "$out.tmp.$$" "$out" 2>/dev/null || rm -rf "$out.tmp.$$"
}

# Old images and trees (not used for two weeks: every use touches them) and temporary
# directories left by builds that were killed outright.
prune_cache() {
        find "$CACHE" -maxdepth 1 \( -name 'image-*' -o -name 'rootfs-*.tar' \) -mtime +14 \
             -exec rm -rf {} + 2>/dev/null || true
        find "$CACHE" -maxdepth 1 -name '.*.??????' -mtime +1 -exec rm -rf {} + 2>/dev/null || true
        find "$CACHE" -maxdepth 1 -name 'image-*.tmp.*' -mtime +1 -exec rm -rf {} + 2>/dev/null || true
}

main() {
        require_tools
        mkdir -p "$CACHE"

        local mirror
        mirror=$(pick_mirror)
        [[ -n $mirror ]] || die "no Debian mirror found in apt's sources; set UNITWATCH_VM_MIRROR"

        local key1 key2
        key1=$(printf '%s\n' "$SUITE" "$ARCH" "$mirror" "${PACKAGES[@]}" "${EXTRA_PACKAGES[@]}" |
                sha)
        key2=$( { echo "$key1"; cat "$SCRIPT_PATH"; } | sha)
        local tar_path=$CACHE/rootfs-$key1.tar
        local out=$CACHE/image-$key2

        if [[ ${UNITWATCH_VM_REBUILD:-0} == 1 && -d $out ]]; then
                rm -rf "$out"
        fi
        prune_cache
        if [[ -f $out/disk.raw && -f $out/vmlinuz && -f $out/initrd.img ]]; then
                touch "$out" "$tar_path" 2>/dev/null || true # keeps prune_cache away
                log "cached image $out"
                echo "$out"
                return
        fi

        if [[ -f $tar_path ]]; then
                log "cached debootstrap tree $tar_path"
        else
                build_rootfs_tar "$mirror" "$tar_path"
        fi
        build_image "$tar_path" "$out"
        log "image ready in $out"
        echo "$out"
}

main "$@"
