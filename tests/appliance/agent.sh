#!/bin/sh
# The appliance check's agent, run as root inside the booted test machine
# by kiosk-test-agent.service (scripts/appliance-vm.sh), from the host's
# share at /mnt/share. It does what the phase in /mnt/share/phase says,
# writes what it measured into out/results (one "key value" a line, read
# by tests/vm_appliance.c) and the files it took into out/, then powers
# the machine off (or reboots it, for the phase after-reboot). It judges
# nothing itself: a step that times out is written down and the agent
# goes on, so the host sees every figure it could get.
#
#   short         the unit on tty1, the screen, the voice, one session
#   full          short, then reload, kill -9, SIGSTOP (the watchdog),
#                 stop in a session, systemd-analyze security, reboot
#   after-reboot  the records after the reboot
share=/mnt/share
out=$share/out
phase=$(cat "$share/phase")
state=/var/lib/kiosk
events=$state/events.jsonl
sim=/sys/kernel/config/gpio-sim/kiosk
exec >>"$out/agent-$phase.log" 2>&1

res() { echo "$*" >>"$out/results-$phase"; }
say() { echo "agent: $(cut -d' ' -f1 /proc/uptime) s: $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
main_pid() { systemctl show -p MainPID --value kiosk.service; }

# wait_for SECONDS COMMAND...: 0 once COMMAND succeeds, 1 after SECONDS.
wait_for() {
	limit=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$limit" ] || return 1
		sleep 0.2
	done
}
active() { [ "$(systemctl is-active kiosk.service)" = active ]; }
# The kiosk now running is active, and is not the process $1.
restarted() { active && [ "$(main_pid)" != "$1" ] && [ "$(main_pid)" != 0 ]; }
in_events() { grep -q "$1" "$events"; }
lines() { grep -vc '^#' "$1" 2>/dev/null || echo 0; }

# Close or open a switch: the simulated line pulled down or up.
line_dir() {
	echo "/sys/devices/platform/$(cat $sim/dev_name)/$(cat $sim/bank0/chip_name)/sim_gpio$1"
}
switch() { echo "$2" >"$(line_dir "$1")/pull"; }
# A short press, 0.3 s; how long it really was (a loaded emulator can
# sleep longer: as much as a second was seen) into out/results as
# press_ms.
press() {
	pull=$(line_dir 17)/pull
	p0=$(now_ms)
	echo pull-down >"$pull"
	sleep 0.3
	echo pull-up >"$pull"
	res press_ms $(($(now_ms) - p0))
}

# ---- the unit on tty1, as kiosk, through KMSDRM ----
unit_up() {
	if wait_for 300 active; then
		pid=$(main_pid)
		res active_after_boot_ms $(($(systemctl show -p ActiveEnterTimestampMonotonic --value kiosk.service) / 1000))
		res user "$(ps -o user= -p "$pid")"
		res tty "$(readlink "/proc/$pid/fd/0")"
		res ttypath "$(systemctl show -p TTYPath --value kiosk.service)"
	else
		res active_after_boot_ms none
	fi
	wait_for 60 in_events '"screen":"attract"' || say "no attract screen in $events"
	sleep 3
	journalctl -b -u kiosk.service --no-pager >"$out/journal-$phase.log"
	res video "$(sed -n 's/.*\(video: .*\)/\1/p' "$out/journal-$phase.log" | head -n 1)"
	res audio "$(sed -n 's/.*\(audio: .*\)/\1/p' "$out/journal-$phase.log" | head -n 1)"
	res gpio "$(sed -n 's/.*\(GPIO: .*\)/\1/p' "$out/journal-$phase.log" | head -n 1)"
}

# ---- the screen, taken by the host through QEMU's monitor ----
screen() {
	touch "$out/screendump.want"
	wait_for 60 test -e "$out/screendump.done" || say "the host took no screen"
}

# ---- the voice on the loopback, and one whole session ----
session() {
	arecord -q -D plughw:Loopback,1,0 -f S16_LE -c 1 -r 22050 -t wav \
		"$out/voice.wav" &
	rec=$!
	sleep 1
	before=$(lines $state/sessions.tsv)
	t0=$(now_ms)
	press
	wait_for 30 in_events '"state":"safety"' || say "the press started nothing"
	switch 27 pull-down
	if wait_for 120 in_events '"result":"completed"'; then
		res session_ms $(($(now_ms) - t0))
	else
		res session_ms none
	fi
	# The last words (the outro comes a few seconds after), then the mat
	# is left.
	sleep 8
	switch 27 pull-up
	kill -INT "$rec"
	wait "$rec"
	cp "$events" "$out/events.jsonl"
	res sessions_before "$before"
	res sessions_after "$(lines $state/sessions.tsv)"
	res last_session "$(grep -v '^#' $state/sessions.tsv | tail -n 1 | cut -f3)"
	# The kiosk's own figures, which it logs when it stops: how fast
	# eSpeak NG ran here, and how late the sounds were heard.
	systemctl restart kiosk.service
	wait_for 120 active
	journalctl -b -u kiosk.service --no-pager >"$out/journal-$phase.log"
	res exit_speech "$(sed -n 's/.*kiosk: \(speech: .*\)/\1/p' "$out/journal-$phase.log" | head -n 1)"
	res exit_audio "$(sed -n 's/.*kiosk: \(audio: .* heard .*\)/\1/p' "$out/journal-$phase.log" | head -n 1)"
}

# ---- reload, kill -9, the watchdog, stop ----
reload() {
	pid=$(main_pid)
	sed -i 's/^name = Appliance check$/name = Appliance check, edited/' \
		/etc/kiosk/kiosk.conf
	systemctl reload kiosk.service
	res reload_status $?
	wait_for 30 sh -c 'journalctl -b -u kiosk.service --no-pager |
		grep -q "routine: \"Appliance check, edited\" in use now"'
	res reloaded $?
	res reload_same_pid "$([ "$(main_pid)" = "$pid" ] && echo yes || echo no)"
	# systemd hangs up tty1 for the reload's kill: the kiosk must open
	# it again, not give its keyboard up (it did, within 3 s, before).
	sleep 5
	res keyboard_ended "$(journalctl -b -u kiosk.service _PID="$pid" \
		--no-pager | grep -c 'keyboard: end of input')"
}

kill9() {
	pid=$(main_pid)
	t0=$(now_ms)
	kill -9 "$pid"
	if wait_for 60 restarted "$pid"; then
		res kill9_restart_ms $(($(now_ms) - t0))
	else
		res kill9_restart_ms none
	fi
}

hang() {
	pid=$(main_pid)
	t0=$(now_ms)
	kill -STOP "$pid"
	if wait_for 90 restarted "$pid"; then
		res hang_restart_ms $(($(now_ms) - t0))
	else
		res hang_restart_ms none
		kill -CONT "$pid"
	fi
	res hang_watchdog "$(journalctl -b -u kiosk.service --no-pager |
		grep -c 'Watchdog timeout')"
}

stop_in_session() {
	wait_for 60 sh -c "grep -q '\"screen\":\"attract\"' $events"
	sleep 2
	press
	wait_for 30 in_events '"state":"safety"'
	sleep 2
	t0=$(now_ms)
	systemctl stop kiosk.service
	res stop_ms $(($(now_ms) - t0))
	# "timeout" when systemd had to kill it after TimeoutStopSec=.
	res stop_result "$(systemctl show -p Result --value kiosk.service)"
	res stop_last_session "$(grep -v '^#' $state/sessions.tsv | tail -n 1 | cut -f3)"
	systemctl start kiosk.service
	wait_for 120 active
}

security() {
	systemd-analyze security --no-pager kiosk.service >"$out/security.txt" 2>&1
	res security "$(sed -n 's/.*Overall exposure level for kiosk.service: *//p' \
		"$out/security.txt")"
}

records() {
	cp $state/sessions.tsv "$out/sessions-$1.tsv"
	cp $state/progress.tsv "$out/progress-$1.tsv"
}

say "phase $phase"
unit_up
case "$phase" in
short | full)
	screen
	session
	;;
esac
if [ "$phase" = full ]; then
	reload
	kill9
	hang
	stop_in_session
	security
	records before-reboot
fi
if [ "$phase" = after-reboot ]; then
	records after-reboot
fi
journalctl -b --no-pager >"$out/journal-all-$phase.log"
say "done"
touch "$out/agent-$phase.done"
sync
if [ "$phase" = full ]; then
	systemctl reboot
else
	systemctl poweroff
fi
