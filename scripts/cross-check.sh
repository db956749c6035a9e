#!/bin/sh
# make check-cross's checks of one architecture's build, run under
# qemu-user (scripts/cross-run.sh):
#
#   scripts/cross-check.sh ARCH CROSSDIR X86-KIOSK TEST-PROGRAM...
#
# CROSSDIR is build-cross/ARCH: its root/ (the sysroot) and build/ (the
# kiosk and tests built for ARCH). In turn:
#  1. on armhf, no program calls the 32-bit-offset file functions (stat,
#     readdir, open... without 64): the build has large-file support;
#  2. the test programs, through tests/run-tests;
#  3. a whole scripted session (tests/cross/session.script, virtual clock,
#     no screen, speech to a WAV) on ARCH and with X86-KIOSK: the event
#     records must be the same line for line, illustration paths compared
#     by file name (the binaries live in different folders, and the
#     kiosk finds its assets next to itself), and the WAVs byte for byte.
#
# eSpeak NG's data is copied to a folder in /dev/shm (tmpfs) for the
# runs, and removed on the way out: Debian 12's armhf libespeak-ng is
# built without large-file support, and on ext4 under a 64-bit kernel a
# 64-bit process (qemu) gets 64-bit directory offsets, so its readdir()
# fails with EOVERFLOW and it finds no voice. On a Pi the kernel gives a
# 32-bit program 32-bit offsets; tmpfs gives small ones to everyone.
set -eu
arch=${1:?usage: cross-check.sh ARCH CROSSDIR X86-KIOSK TEST...}
cross=${2:?}
x86=${3:?}
shift 3
root=$(cd "$cross/root" && pwd)
build=$cross/build
case "$arch" in
arm64) triplet=aarch64-linux-gnu ;;
armhf) triplet=arm-linux-gnueabihf ;;
*) echo "cross-check: $arch: only arm64 and armhf" >&2 && exit 2 ;;
esac
status=0

if [ "$arch" = armhf ]; then
	short=$(for f in "$build/kiosk" "$@"; do
		"$triplet-nm" -D --undefined-only "$f"
	done | awk '{ sub(/@.*/, "", $2); print $2 }' |
		grep -Ex '(open|openat|creat|fopen|freopen|stat|fstat|lstat|fstatat|readdir|scandir|lseek|fseeko|ftello|truncate|ftruncate|mmap|pread|pwrite|mkstemp|tmpfile|statvfs|fstatvfs|glob|posix_fallocate)' |
		sort -u | tr '\n' ' ')
	if [ -n "$short" ]; then
		echo "cross-check: armhf: built without large-file support: $short" >&2
		status=1
	else
		echo "cross-check: armhf: every file call has large-file support"
	fi
fi

data=$(mktemp -d /dev/shm/kiosk-espeak.XXXXXX)
trap 'rm -rf "$data"' EXIT
trap 'exit 130' INT TERM HUP
cp -r "$root/usr/lib/$triplet/espeak-ng-data" "$data/"
export ESPEAK_DATA_PATH="$data"

# The kiosk as the tests call it: a command, run under qemu.
printf '#!/bin/sh\nexec %s %s %s %s "$@"\n' "$(pwd)/scripts/cross-run.sh" \
	"$arch" "$root" "$(cd "$build" && pwd)/kiosk" >"$cross/kiosk"
chmod +x "$cross/kiosk"
# Its assets next to it, as in the checkout (build/../assets).
ln -sfn ../../assets "$cross/assets"

TEST_WRAP="scripts/cross-run.sh $arch $root" KIOSK=$cross/kiosk \
	KIOSK_OUT=$build tests/run-tests "$@" || status=1

session="--input script:tests/cross/session.script --clock virtual
	--video none --exit-after-session"
same() { sed 's|"illustration":"[^"]*/|"illustration":"|' "$1"; }
# shellcheck disable=SC2086
"$x86" $session --audio "wav:$cross/session.x86.wav" \
	--events "$cross/session.x86.jsonl" 2>/dev/null
# shellcheck disable=SC2086
"$cross/kiosk" $session --audio "wav:$cross/session.wav" \
	--events "$cross/session.jsonl" 2>"$cross/session.err" || {
	echo "cross-check: $arch: the session failed:" >&2
	cat "$cross/session.err" >&2
	exit 1
}
same "$cross/session.x86.jsonl" >"$cross/session.x86.same"
if same "$cross/session.jsonl" | diff -u "$cross/session.x86.same" - >"$cross/session.diff"; then
	echo "cross-check: $arch: the session's $(wc -l <"$cross/session.jsonl") events are this machine's"
else
	echo "cross-check: $arch: the session's events differ from this machine's:" >&2
	head -n 40 "$cross/session.diff" >&2
	status=1
fi
if cmp "$cross/session.x86.wav" "$cross/session.wav"; then
	echo "cross-check: $arch: the session's WAV is this machine's, byte for byte"
else
	status=1
fi
exit $status
