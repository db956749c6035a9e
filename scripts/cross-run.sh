#!/bin/sh
# Run a program built for another architecture under qemu-user, with the
# sysroot made by scripts/cross-sysroot.sh as its root for files:
#
#   scripts/cross-run.sh arm64|armhf SYSROOT PROGRAM [ARG...]
#
# qemu is called by name, so nothing is registered with binfmt_misc (and
# nothing needs undoing); a program the guest starts runs on the host as
# it is (a shell, date), so the tests call the kiosk through this script
# ($KIOSK names a wrapper that does). LD_PRELOAD is handed to the guest
# only, not to qemu itself (an arm library is no use to an x86 qemu).
# The libraries are found through LD_LIBRARY_PATH: the sysroot has no
# ld.so.cache, and qemu maps the guest's /usr/lib/... into SYSROOT.
# eSpeak NG is told where its data is by its full path on this machine:
# it tests the folder with statx(), which qemu-arm 7.2 (Debian 12) does
# not map into SYSROOT as it maps open() (seen with QEMU_STRACE=1: "cannot
# start: No such file or directory" on armhf, while arm64's newfstatat is
# mapped). An ESPEAK_DATA_PATH already set is kept (scripts/cross-check.sh
# sets one).
set -eu
arch=${1:?usage: cross-run.sh arm64|armhf SYSROOT PROGRAM [ARG...]}
root=${2:?usage: cross-run.sh arm64|armhf SYSROOT PROGRAM [ARG...]}
shift 2
case "$arch" in
arm64) qemu=qemu-aarch64 triplet=aarch64-linux-gnu ;;
armhf) qemu=qemu-arm triplet=arm-linux-gnueabihf ;;
*) echo "cross-run: $arch: only arm64 and armhf" >&2 && exit 2 ;;
esac
preload=${LD_PRELOAD:-}
unset LD_PRELOAD
exec "$qemu" -L "$root" \
	-E "LD_LIBRARY_PATH=/lib/$triplet:/usr/lib/$triplet" \
	-E "ESPEAK_DATA_PATH=${ESPEAK_DATA_PATH:-$root/usr/lib/$triplet}" \
	${preload:+-E "LD_PRELOAD=$preload"} "$@"
