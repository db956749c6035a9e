#!/bin/sh
# Build and test this checkout on Debian 13 (trixie), Raspberry Pi OS's
# base today, from a Debian 12 machine: a trixie root made by debootstrap
# from Debian's own packages (the archive this machine's apt uses), the
# build dependencies installed inside it by the project's own
# scripts/install-deps.sh, then `make check WERROR=1` there, once as root
# and once as the user pi (uid 1000), as a Pi owner runs it.
#
#   scripts/check-trixie.sh DIR
#
# DIR keeps the root between runs (made once, about 150 MB before the
# build dependencies); each run copies the checkout's files (tracked and
# untracked, not ignored) in afresh. Needs root (debootstrap, chroot,
# mount) and debootstrap (scripts/install-deps.sh trixie). Mounts /proc, /sys
# (libgpiod 2.2 asks sysfs whether a device is a GPIO chip),
# /dev, /dev/pts and a /dev/shm inside the root and unmounts them on every
# way out. Prints how long each step took.
set -eu

dir=${1:?usage: check-trixie.sh DIR}
[ "$(id -u)" = 0 ] || { echo "check-trixie: needs root (chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || {
	echo "check-trixie: no debootstrap (run scripts/install-deps.sh trixie)" >&2
	exit 2
}
top=$(pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root
. "$top/scripts/apt-private.sh"
mirror=$(apt_mirror)
start=$(date +%s)
step() {
	echo "check-trixie: $1 ($(($(date +%s) - start)) s)"
}

. "$top/scripts/mounts.sh"
trap unmount_all EXIT
trap 'exit 130' INT TERM HUP

if [ ! -f "$root/.complete" ]; then
	rm -rf "$root"
	step "debootstrap trixie from $mirror"
	debootstrap --variant=minbase trixie "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 || {
		tail -n 20 "$dir/debootstrap.log" >&2
		exit 1
	}
	printf 'deb %s trixie main\ndeb %s trixie-updates main\n' "$mirror" "$mirror" \
		>"$root/etc/apt/sources.list"
	grep -q '^pi:' "$root/etc/passwd" || {
		echo 'pi:x:1000:1000:pi:/home/pi:/bin/sh' >>"$root/etc/passwd"
		echo 'pi:x:1000:' >>"$root/etc/group"
		echo 'pi:*:20000:0:99999:7:::' >>"$root/etc/shadow"
	}
	touch "$root/.complete"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

mount_in proc proc "$root/proc"
mount_in sysfs sysfs "$root/sys"
mount_in bind /dev "$root/dev"
mount_in devpts devpts "$root/dev/pts"
mount_in tmpfs tmpfs "$root/dev/shm"

# The checkout, afresh, for root and for pi.
rm -rf "$root/src" "$root/home/pi"
mkdir -p "$root/src" "$root/home/pi/kiosk"
git ls-files -co --exclude-standard -z | xargs -0 tar -cf - |
	tar -xf - -C "$root/src"
(cd "$root/src" && tar -cf - .) | tar -xf - -C "$root/home/pi/kiosk"
chown -R 1000:1000 "$root/home/pi"

step "installing the build dependencies (scripts/install-deps.sh)"
chroot "$root" /bin/sh -c 'cd /src && scripts/install-deps.sh' >"$dir/deps.log" 2>&1 || {
	tail -n 20 "$dir/deps.log" >&2
	exit 1
}
status=0
step "make check WERROR=1 as root"
chroot "$root" /bin/sh -c 'cd /src && make --no-print-directory -j2 check WERROR=1' ||
	status=1
step "make check WERROR=1 as pi"
chroot --userspec=1000:1000 "$root" /usr/bin/env HOME=/home/pi USER=pi \
	/bin/sh -c 'cd /home/pi/kiosk && make --no-print-directory -j2 check WERROR=1' ||
	status=1
step "done, status $status"
exit $status
