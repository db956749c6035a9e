#!/bin/bash
# install.sh - turn a fresh Raspberry Pi OS (bookworm, trixie) or Debian
# machine into a kiosk appliance, from this checkout:
#
#   sudo scripts/install.sh              the system service on tty1
#   sudo scripts/install.sh --user       the desktop (user service) variant
#   sudo scripts/install.sh --uninstall  take it all out again
#
# Installs the packages (install-deps.sh), builds, runs `make install`
# (program, manual pages, units, udev rule), makes the groups and the
# `kiosk` user, reloads udev, and enables and starts the service. Safe to
# run again: each step checks first. Where systemd is not PID 1 (a
# container, a chroot building an SD card image) the service is enabled
# for the next boot but not started.
set -euo pipefail

PREFIX=${PREFIX:-/usr/local}
STATE=/var/lib/kiosk
CACHE=/var/cache/kiosk
GROUPS_NEEDED="gpio audio video render"

usage() {
	cat <<EOF
Usage: sudo scripts/install.sh [--user] [--uninstall [--purge]]

  (no option)   install the kiosk as a system service on tty1 (a Pi with
                no desktop): user 'kiosk', started at boot
  --user        install the desktop variant instead: a user service
                started with every desktop session (graphical-session.target)
  --uninstall   stop and remove the service, the udev rule, the program,
                its data and the 'kiosk' user; keeps /etc/kiosk/kiosk.conf
                and the session record and progression counts in $STATE
  --purge       with --uninstall: remove $STATE and $CACHE too
  -h, --help    show this help

PREFIX (default /usr/local, or /usr) is where the program goes.
EOF
}

say() { printf 'install: %s\n' "$*"; }
die() {
	printf 'install: %s\n' "$*" >&2
	exit 1
}

# sd_booted(): systemd is the init system running now.
systemd_running() { [ -d /run/systemd/system ]; }

# The person who ran sudo, if any: the build is theirs, not root's.
invoker() {
	if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
		printf '%s' "$SUDO_USER"
	fi
}

build() {
	local who
	who=$(invoker)
	if [ -n "$who" ]; then
		runuser -u "$who" -- make --no-print-directory
	else
		make --no-print-directory
	fi
}

make_group() {
	if ! getent group "$1" >/dev/null; then
		groupadd --system "$1"
		say "made group $1"
	fi
}

make_user() {
	if id kiosk >/dev/null 2>&1; then
		return
	fi
	local group=(--user-group)
	getent group kiosk >/dev/null && group=(--gid kiosk)
	useradd --system "${group[@]}" --home-dir "$STATE" --no-create-home \
		--shell /usr/sbin/nologin --comment "Exercise kiosk" kiosk
	say "made user kiosk"
}

reload_udev() {
	if command -v udevadm >/dev/null && [ -e /run/udev/control ]; then
		udevadm control --reload-rules
		udevadm trigger --subsystem-match=gpio --action=change
		say "udev rules reloaded"
	else
		say "udev is not running here: the gpio rule applies from the next boot"
	fi
}

# systemctl enable/disable work without a running systemd (they only
# make links); start/stop/daemon-reload need it.
system_install() {
	for g in $GROUPS_NEEDED; do make_group "$g"; done
	make_user
	reload_udev
	if systemctl --quiet --global is-enabled kiosk-user.service 2>/dev/null; then
		systemctl --global disable kiosk-user.service
	fi
	if systemd_running; then systemctl daemon-reload; fi
	systemctl enable kiosk.service
	if systemd_running; then
		systemctl restart kiosk.service
		say "kiosk.service enabled and (re)started on tty1"
		say "see it with: systemctl status kiosk; journalctl -u kiosk"
	else
		say "systemd is not running here (PID 1 is '$(cat /proc/1/comm)'):" \
			"kiosk.service is enabled for the next boot, not started"
	fi
}

user_install() {
	local who
	who=$(invoker)
	make_group gpio
	if [ -n "$who" ] && [[ " $(id -nG "$who") " != *" gpio "* ]]; then
		usermod -aG gpio "$who"
		say "added $who to the gpio group (log out and in again)"
	fi
	reload_udev
	if systemctl --quiet is-enabled kiosk.service 2>/dev/null; then
		if systemd_running; then systemctl stop kiosk.service; fi
		systemctl disable kiosk.service
		say "the system service is off: the desktop variant replaces it"
	fi
	if systemd_running; then systemctl daemon-reload; fi
	systemctl --global enable kiosk-user.service
	if [ -n "$who" ] && systemd_running &&
		systemctl --user -M "$who@" --quiet is-active graphical-session.target 2>/dev/null; then
		systemctl --user -M "$who@" daemon-reload
		systemctl --user -M "$who@" restart kiosk-user.service
		say "kiosk-user.service started in $who's desktop session"
	else
		say "kiosk-user.service is enabled for every desktop session;" \
			"it starts at the next login"
		say "(a desktop that does not start graphical-session.target" \
			"needs 'kiosk' in its autostart instead)"
	fi
}

do_install() {
	scripts/install-deps.sh
	build
	make --no-print-directory --silent install PREFIX="$PREFIX"
	say "installed the program, manual pages, units and udev rule ($PREFIX)"
	if [ "$SCOPE" = user ]; then user_install; else system_install; fi
}

do_uninstall() {
	if systemd_running; then
		systemctl stop kiosk.service 2>/dev/null || true
	fi
	systemctl disable kiosk.service 2>/dev/null || true
	systemctl --global disable kiosk-user.service 2>/dev/null || true
	make --no-print-directory --silent uninstall PREFIX="$PREFIX"
	say "removed the program, manual pages, units and udev rule ($PREFIX)"
	reload_udev
	if systemd_running; then
		systemctl daemon-reload
		# The login prompt the kiosk took away.
		systemctl start getty@tty1.service 2>/dev/null || true
	fi
	if id kiosk >/dev/null 2>&1; then
		userdel kiosk
		say "removed user kiosk"
	fi
	if getent group kiosk >/dev/null; then
		groupdel kiosk
	fi
	if [ "$PURGE" = yes ]; then
		rm -rf "$STATE" "$CACHE"
		say "removed $STATE and $CACHE"
	elif [ -d "$STATE" ]; then
		say "kept the session record and progression counts in $STATE (--purge removes them)"
	fi
	say "kept /etc/kiosk/kiosk.conf, and the groups $GROUPS_NEEDED"
}

ARGS="$*"
MODE=do_install
SCOPE=system
PURGE=no
while [ $# -gt 0 ]; do
	case "$1" in
	--user) SCOPE=user ;;
	--uninstall) MODE=do_uninstall ;;
	--purge) MODE=do_uninstall PURGE=yes ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		printf 'install: unknown option %s\n' "$1" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done

cd "$(dirname "$0")/.."
case "$PREFIX" in
/usr/local | /usr) ;;
*) die "PREFIX must be /usr/local or /usr: systemd looks for units only there" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root: sudo scripts/install.sh $ARGS"
command -v systemctl >/dev/null || die "this is not a systemd system (no systemctl)"

"$MODE"
say "done"
