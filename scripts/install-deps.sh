#!/bin/sh
# Install the Debian packages the kiosk needs to build, test and run its
# demo, skipping those already installed. Uses sudo when not root. Safe to
# run again and again: it does nothing when everything is there.
# `install-deps.sh fuzz` adds what make fuzz needs, `install-deps.sh vm`
# what make check-gpio-sim needs, `install-deps.sh cross` what make
# check-cross needs, `install-deps.sh trixie` what make check-trixie needs.
set -eu

# Build: compiler and libraries. Run: the speech data and a font. Test: sox
# (the audio tests cross-check their WAV analysis with it) and valgrind
# (`make valgrind`). The fleet tests (tests/e2e_fleet.c): Prometheus's
# promtool and node_exporter, to check and scrape the metrics file, and
# ansible-core, to run the example playbook.
# LIBS is also what scripts/cross-sysroot.sh puts in an arm sysroot
# (`install-deps.sh libs` prints it).
LIBS="libinih-dev libcmocka-dev libespeak-ng-dev espeak-ng-data
	portaudio19-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
	libgpiod-dev fonts-dejavu-core"
PACKAGES="gcc make pkg-config $LIBS espeak-ng gpiod sox valgrind
	prometheus prometheus-node-exporter ansible-core"
# Fuzzing: clang, and its compiler-rt for libFuzzer and the sanitizers
# (only recommended by clang, and recommends are not installed). Asked for
# separately: a kiosk that only runs does not need a second compiler.
# The GPIO tests in a virtual machine (make check-gpio-sim): qemu, busybox
# for the machine's first process, and unpacking the kernel's packages.
case "${1:-}" in
libs)
	echo $LIBS
	exit 0
	;;
fuzz) PACKAGES="$PACKAGES clang libclang-rt-dev" ;;
vm) PACKAGES="$PACKAGES qemu-system-x86 busybox-static xz-utils" ;;
# The arm builds (make check-cross): Debian's cross compilers, and
# qemu-user to run what they build (never registered with binfmt: the
# tests call qemu-aarch64 / qemu-arm by name).
cross) PACKAGES="$PACKAGES gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
	qemu-user" ;;
# The appliance booted (make check-appliance): a Debian root made by
# debootstrap, its disk image, qemu and QEMU's monitor socket.
appliance) PACKAGES="$PACKAGES qemu-system-x86 busybox-static xz-utils
	debootstrap e2fsprogs socat" ;;
# A Debian 13 root to build and test in (make check-trixie).
trixie) PACKAGES="$PACKAGES debootstrap" ;;
esac

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: not a Debian system; please install:$missing" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
