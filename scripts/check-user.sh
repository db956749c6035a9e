#!/bin/sh
# make check as an ordinary user, as a Pi owner runs it (as pi, not root):
# a copy of this checkout's files (tracked and untracked, not ignored) in
# a fresh folder owned by a throwaway user id that no account has, built
# and tested there as that user (setpriv: no supplementary groups, no
# capabilities), then removed, whatever the result.
#
#   scripts/check-user.sh [MAKE-ARGUMENT...]     e.g. WERROR=1
#
# Run it as root (it makes the folder over to the user), after the build
# dependencies are installed (make deps): the user cannot install them.
# KIOSK_CHECK_UID picks the id (default 64123).
set -eu
[ "$(id -u)" = 0 ] || { echo "check-user: run as root (it hands a copy to another user)" >&2; exit 2; }
uid=${KIOSK_CHECK_UID:-64123}
if getent passwd "$uid" >/dev/null; then
	echo "check-user: uid $uid belongs to an account; set KIOSK_CHECK_UID to a free one" >&2
	exit 2
fi
dir=$(mktemp -d /tmp/kiosk-check-user.XXXXXX)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM HUP
git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -xf - -C "$dir"
chown -R "$uid:$uid" "$dir"
echo "check-user: make check $* as uid $uid in $dir"
setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all \
	env HOME="$dir" USER=kiosk-check LOGNAME=kiosk-check \
	make --no-print-directory -C "$dir" check "$@"
