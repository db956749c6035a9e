#!/bin/bash
# The appliance as a clinic technician makes it, booted: a Debian 12 root
# made by debootstrap from Debian's packages, the kiosk installed into it
# with scripts/install.sh exactly as the README says, then booted in qemu
# with systemd as PID 1, the gpio-sim kernel of make check-gpio-sim, a DRM
# display (bochs-display, 1280x720 through video= on the kernel's command
# line) and the snd-aloop sound card. A test agent inside the machine
# (tests/appliance/agent.sh) presses the
# simulated button, steps on the simulated mat, records the loopback's
# other side, kills and hangs the kiosk, reloads and stops it, reboots;
# this script takes the screen through QEMU's monitor when the agent asks.
# tests/vm_appliance.c then judges what they left and prints each figure.
#
#   scripts/appliance-vm.sh DIR [full|short]
#
# short: one boot, the unit on tty1, the screen, the voice and one whole
# session (CI). full adds reload, kill -9, the watchdog, stop, a reboot
# and systemd-analyze security (the release check). Run it from the top of
# the checkout, as root (debootstrap, chroot, mount). DIR keeps the root
# between runs (debootstrap and the kernel once; install.sh runs again on
# every run, as a technician's second run would); the machine boots from a
# disk image made afresh from it each run (mke2fs -d: no loop mount).
#
# Test-only parts, installed into the image and nowhere else, all named
# kiosk-test*: the gpio-sim module and a oneshot unit that makes the chip
# (lines GPIO17 and GPIO27) through configfs before kiosk.service, a
# modules-load.d file for snd-aloop and 9p, a kiosk.service drop-in that
# adds --events, the short routine tests/appliance/kiosk.conf as
# /etc/kiosk/kiosk.conf, and the agent's unit. Everything mounted is
# unmounted and the machine is killed on every way out.
set -eu

top=$(pwd)
dir=${1:?usage: scripts/appliance-vm.sh DIR [full|short]}
mode=${2:-full}
case "$mode" in full | short) ;; *)
	echo "appliance-vm: mode must be full or short" >&2
	exit 2
	;;
esac
[ "$(id -u)" = 0 ] || {
	echo "appliance-vm: needs root (debootstrap, chroot, mount)" >&2
	exit 2
}
[ "$(uname -m)" = x86_64 ] || {
	echo "appliance-vm: x86-64 hosts only" >&2
	exit 2
}
for tool in debootstrap qemu-system-x86_64 mke2fs socat busybox; do
	command -v "$tool" >/dev/null || {
		echo "appliance-vm: no $tool (run scripts/install-deps.sh appliance)" >&2
		exit 2
	}
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root
share=$dir/share
out=$share/out
# The gpio-sim kernel and module of make check-gpio-sim (Debian 12's).
vmdir=$top/build-vm/bookworm
. "$top/scripts/apt-private.sh"
mirror=$(apt_mirror)
start=$(date +%s)
step() { echo "appliance-vm: $1 ($(($(date +%s) - start)) s)"; }

. "$top/scripts/mounts.sh"
qemu_pid=""
cleanup() {
	if [ -n "$qemu_pid" ]; then
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
		qemu_pid=""
	fi
	unmount_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# ---- the kernel and gpio-sim ----
if [ ! -f "$vmdir/initrd.img" ]; then
	step "building the gpio-sim kernel module (scripts/gpio-sim-vm.sh)"
	scripts/gpio-sim-vm.sh "$vmdir" bookworm 'exit 0'
fi
read -r abi kver <"$vmdir/kernel"
# The module, from the gpio-sim machine's initramfs, where it is kept.
(cd "$dir" && gzip -dc "$vmdir/initrd.img" |
	busybox cpio -i --quiet --to-stdout lib/modules/gpio-sim-kiosk.ko \
		>gpio-sim-kiosk.ko)
[ -s "$dir/gpio-sim-kiosk.ko" ] || {
	echo "appliance-vm: no gpio-sim-kiosk.ko in $vmdir/initrd.img" >&2
	exit 1
}

# ---- the root: Debian 12 with systemd, the kernel of the module ----
if [ ! -f "$root/.debootstrapped" ]; then
	rm -rf "$root"
	step "debootstrap bookworm from $mirror"
	debootstrap --variant=minbase \
		--include=systemd-sysv,udev,dbus,kmod,alsa-utils,initramfs-tools,procps \
		bookworm "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 || {
		tail -n 20 "$dir/debootstrap.log" >&2
		exit 1
	}
	printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
		"$mirror" "$mirror" "$(apt_mirror security)" >"$root/etc/apt/sources.list"
	touch "$root/.debootstrapped"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount_in proc proc "$root/proc"
mount_in sysfs sysfs "$root/sys"
mount_in bind /dev "$root/dev"
mount_in devpts devpts "$root/dev/pts"
if [ "$(cat "$root/.complete" 2>/dev/null)" != "$abi $kver" ]; then
	step "installing the kernel $abi ($kver) into the root"
	in_root apt-get -qq update
	in_root apt-get -qq install -y --no-install-recommends \
		"linux-image-$abi=$kver" >"$dir/kernel.log" 2>&1 || {
		tail -n 20 "$dir/kernel.log" >&2
		exit 1
	}
	echo kiosk-appliance >"$root/etc/hostname"
	printf '/dev/vda / ext4 defaults 0 1\n' >"$root/etc/fstab"
	# The serial console logs in nobody: the agent does the work.
	echo "$abi $kver" >"$root/.complete"
fi

# ---- the technician's install: the checkout, then scripts/install.sh ----
step "scripts/install.sh in the root (installs the packages, builds, enables)"
rm -rf "$root/root/kiosk"
mkdir -p "$root/root/kiosk"
git ls-files -z --cached --others --exclude-standard |
	tar -C "$top" --null -T - -cf - | tar -C "$root/root/kiosk" -xf -
in_root sh -c 'cd /root/kiosk && scripts/install.sh' >"$dir/install.log" 2>&1 || {
	tail -n 30 "$dir/install.log" >&2
	exit 1
}
grep '^install: ' "$dir/install.log" | sed 's/^/appliance-vm: /'
cleanup

# ---- the test-only parts ----
t=$root/usr/local/lib/kiosk-test
mkdir -p "$t" "$root/etc/systemd/system/kiosk.service.d" "$root/mnt/share"
cp "$dir/gpio-sim-kiosk.ko" "$t/"
install -m 755 tests/appliance/gpio-sim-setup.sh "$t/gpio-sim-setup"
cp tests/appliance/kiosk.conf "$root/etc/kiosk/kiosk.conf"
printf '# make check-appliance only\nsnd-aloop\n9pnet_virtio\n9p\n' \
	>"$root/etc/modules-load.d/kiosk-test.conf"
cat >"$root/etc/systemd/system/kiosk-test-gpio-sim.service" <<'EOF'
# make check-appliance only: the simulated button and mat.
[Unit]
Description=Simulated GPIO chip for the appliance check (test only)
Before=kiosk.service
After=systemd-modules-load.service sys-kernel-config.mount systemd-udevd.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/lib/kiosk-test/gpio-sim-setup
[Install]
WantedBy=multi-user.target
EOF
cat >"$root/etc/systemd/system/kiosk.service.d/kiosk-test.conf" <<'EOF'
# make check-appliance only: the event record, to judge the voice by.
[Service]
ExecStart=
ExecStart=/usr/local/bin/kiosk --events /var/lib/kiosk/events.jsonl
EOF
# The short check (CI) must not hang on the CI machine's load: under TCG
# softpipe draws a screen in up to 14 s, and the watchdog has killed the
# kiosk while it drew (tests/README.md). The full check keeps the unit's
# own 10 s, and checks it.
if [ "$mode" = short ]; then
	printf 'WatchdogSec=60s\n' >>"$root/etc/systemd/system/kiosk.service.d/kiosk-test.conf"
fi
cat >"$root/etc/systemd/system/kiosk-test-agent.service" <<'EOF'
# make check-appliance only: runs the check's agent from the host's share.
[Unit]
Description=Appliance check agent (test only)
After=multi-user.target
[Service]
Type=simple
ExecStartPre=/bin/mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share /mnt/share
ExecStart=/bin/sh /mnt/share/agent.sh
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/kiosk-test-gpio-sim.service \
	"$root/etc/systemd/system/multi-user.target.wants/kiosk-test-gpio-sim.service"
ln -sf /etc/systemd/system/kiosk-test-agent.service \
	"$root/etc/systemd/system/multi-user.target.wants/kiosk-test-agent.service"
rm -rf "$root/var/lib/kiosk" "$root/var/log/journal"
mkdir -p "$root/var/log/journal"

# ---- the disk, afresh ----
step "making the disk image"
rm -f "$dir/disk.img"
mke2fs -q -t ext4 -L kiosk -d "$root" "$dir/disk.img" 4G

# ---- boots ----
rm -rf "$share"
mkdir -p "$out"
cp tests/appliance/agent.sh "$share/agent.sh"
monitor() { echo "$1" | socat - "UNIX-CONNECT:$dir/monitor.sock" >/dev/null; }

# boot PHASE: one boot of the machine, the agent doing PHASE; the screen
# taken when the agent asks (out/screendump.want), until it powers off.
boot() {
	echo "$1" >"$share/phase"
	rm -f "$dir/monitor.sock"
	step "booting ($1)"
	qemu-system-x86_64 -accel "${APPLIANCE_VM_ACCEL:-tcg}" -m 1536 -smp 2 \
		-kernel "$root/boot/vmlinuz-$abi" -initrd "$root/boot/initrd.img-$abi" \
		-append "root=/dev/vda rw console=ttyS0 loglevel=4 panic=-1 video=1280x720" \
		-drive "file=$dir/disk.img,format=raw,if=virtio" \
		-device bochs-display -display none \
		-serial "file:$out/serial-$1.log" \
		-monitor "unix:$dir/monitor.sock,server=on,wait=off" \
		-virtfs "local,path=$share,mount_tag=share,security_model=none" \
		-nic none -no-reboot </dev/null &
	qemu_pid=$!
	local limit=$((SECONDS + ${APPLIANCE_BOOT_LIMIT:-1200}))
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if [ -e "$out/screendump.want" ] && [ ! -e "$out/screendump.done" ]; then
			monitor "screendump $out/screen.ppm"
			sleep 2
			touch "$out/screendump.done"
			step "took the screen through QEMU's monitor"
		fi
		if [ $SECONDS -gt $limit ]; then
			echo "appliance-vm: the machine ran past its limit; stopping it" >&2
			kill "$qemu_pid"
		fi
		sleep 1
	done
	wait "$qemu_pid" || true
	qemu_pid=""
	[ -f "$out/agent-$1.done" ] || {
		echo "appliance-vm: the agent did not finish ($1); the end of the serial log:" >&2
		tail -n 30 "$out/serial-$1.log" >&2
		return 1
	}
	step "the machine is off ($1)"
}

# A kernel that panics before the agent has started (under emulation one
# did, at 1.6 s, patching a static key) is the emulator's fault, not the
# appliance's: that boot is tried again, up to three times. A panic once
# the agent runs is a finding and fails the check.
boot_retried() {
	local n
	for n in 1 2 3; do
		boot "$1" && return 0
		[ ! -e "$out/agent-$1.log" ] &&
			grep -q 'Kernel panic' "$out/serial-$1.log" || return 1
		echo "appliance-vm: the kernel panicked before the agent ran ($1, boot $n of 3)" >&2
	done
	return 1
}

boot_retried "$mode"
if [ "$mode" = full ]; then
	boot_retried after-reboot
fi
step "done; tests/vm_appliance judges $out"
