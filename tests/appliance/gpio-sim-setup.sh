#!/bin/sh
# make check-appliance only (installed by scripts/appliance-vm.sh into its
# test machine, never by install.sh): a simulated GPIO chip of 32 lines,
# 17 and 27 named GPIO17 and GPIO27 as on a Raspberry Pi's header, made
# through gpio-sim's configfs before kiosk.service starts. The kiosk asks
# for a pull-up on both, which leaves the switches open; the agent closes
# one by pulling its line down (tests/appliance/agent.sh).
set -eu
modprobe configfs
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
grep -q '^gpio_sim_kiosk ' /proc/modules ||
	insmod /usr/local/lib/kiosk-test/gpio-sim-kiosk.ko
sim=/sys/kernel/config/gpio-sim/kiosk
mkdir -p "$sim/bank0/line17" "$sim/bank0/line27"
echo 32 >"$sim/bank0/num_lines"
echo GPIO17 >"$sim/bank0/line17/name"
echo GPIO27 >"$sim/bank0/line27/name"
echo 1 >"$sim/live"
# The chip's device node gets the gpio group (60-kiosk-gpio.rules) first.
udevadm settle
echo "gpio-sim: $(cat "$sim/bank0/chip_name") with GPIO17 and GPIO27 is live"
