#!/bin/sh
# Make a sysroot for cross-building and running the kiosk on another
# architecture (arm64 or armhf: Raspberry Pi OS's two), from Debian's own
# packages, without installing anything into this machine's dpkg:
#
#   scripts/cross-sysroot.sh ARCH DIR
#
# apt runs with private state in DIR/apt, for ARCH only and with an empty
# dpkg status, so it downloads the whole dependency closure of the
# kiosk's libraries (`scripts/install-deps.sh libs`) and libc from the
# suite this machine runs (and its -updates), from the archive its apt
# uses. Not from the security archive: a sysroot builds and tests, it is
# never shipped, and security fixes change no interface (its index for
# armhf was also seen mid-sync for an hour, failing every run). Every package is
# unpacked with dpkg-deb -x into DIR/root (no maintainer scripts run), and
# every absolute symbolic link in it is made relative, so that it points
# inside the sysroot (libm.so -> /lib/... would otherwise name the host's).
# Does nothing when DIR/root is already complete (DIR/root/.complete).
#
# Build with Debian's cross compiler and --sysroot=DIR/root; run under
# qemu-user with -L DIR/root (see the Makefile's check-cross).
set -eu

arch=${1:?usage: cross-sysroot.sh arm64|armhf DIR}
dir=${2:?usage: cross-sysroot.sh arm64|armhf DIR}
case "$arch" in
arm64 | armhf) ;;
*) echo "cross-sysroot: $arch: only arm64 and armhf" >&2 && exit 2 ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root
[ -f "$root/.complete" ] && exit 0

here=$(cd "$(dirname "$0")" && pwd)
. "$here/apt-private.sh"
. /etc/os-release
suite=${VERSION_CODENAME:?cross-sysroot: no VERSION_CODENAME in /etc/os-release}
mirror=$(apt_mirror)
echo "cross-sysroot: $arch packages of $suite from $mirror"
apt_private_arch "$dir/apt" "$arch" \
	"deb $mirror $suite main" \
	"deb $mirror $suite-updates main"
# shellcheck disable=SC2046
apt_fetch_closure libc6-dev $("$here/install-deps.sh" libs)

rm -rf "$root"
mkdir -p "$root"
n=0
for deb in "$dir"/apt/cache/archives/*.deb; do
	dpkg-deb -x "$deb" "$root"
	n=$((n + 1))
done

# Absolute links made relative to where they sit, so they resolve inside
# the sysroot for the compiler, the linker and qemu alike.
find "$root" -type l | while read -r link; do
	target=$(readlink "$link")
	case "$target" in
	/*) ;;
	*) continue ;;
	esac
	from=${link#"$root"}
	up=$(dirname "$from" | sed 's|/[^/]*|../|g')
	ln -sfn "${up%/}${target}" "$link"
done
# Lists and downloads are not needed any more; the sysroot is.
rm -rf "$dir/apt/lists" "$dir/apt/cache"
touch "$root/.complete"
echo "cross-sysroot: $n packages unpacked in $root ($(du -sh "$root" | cut -f1))"
