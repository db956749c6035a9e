#!/bin/sh
# Run a command in this checkout inside a throwaway virtual machine whose
# kernel has simulated GPIO chips (gpio-sim), so the kiosk's libgpiod
# backends meet a real kernel: lines found by name, the pull-up bias, edge
# events with the kernel's timestamps, the kernel's debounce, a line that
# another program holds, a chip that goes away and comes back.
#
#   scripts/gpio-sim-vm.sh DIR SUITE 'SHELL COMMAND'
#
# SUITE says whose kernel: bookworm (Debian 12's, Linux 6.1) or
# bookworm-backports (Linux 6.12, the series of Debian 13 and of current
# Raspberry Pi OS). Run it from the top of the checkout; DIR must be inside
# the checkout. DIR keeps what is built, and the next run reuses it: the
# kernel, the gpio-sim module built for it, and an initramfs of busybox.
#
# Debian's kernels are built without gpio-sim (CONFIG_GPIO_SIM is not
# set), so the module is compiled here from the same kernel's source
# package, against its headers package. The kernel's irq_sim helper, which
# gpio-sim needs and Debian's kernel does not build either, is compiled
# into the module; one line of it is changed to call generic_handle_irq()
# (exported to modules) in place of handle_simple_irq(irq_to_desc())
# (irq_to_desc is not). The packages are downloaded and unpacked in DIR,
# never installed, and nothing of the kernel's source is kept.
#
# The machine sees the host's root read-only and this checkout read-write,
# at the same paths. It runs the command as root, from the top of the
# checkout, with /dev, /proc, /sys, configfs and a fresh /tmp of its own,
# then powers off. This script exits with the command's status. x86-64
# hosts only. Needs qemu-system-x86 and
# busybox-static (scripts/install-deps.sh vm installs them).
set -eu

usage() {
	echo "usage: scripts/gpio-sim-vm.sh DIR bookworm|bookworm-backports 'SHELL COMMAND'" >&2
	exit 2
}
[ $# -eq 3 ] || usage
top=$(pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
suite=$2
job=$3
case "$suite" in
bookworm | bookworm-backports) ;;
*) usage ;;
esac
case "$dir" in
"$top"/*) ;;
*) echo "gpio-sim-vm: $dir is not inside $top" >&2 && exit 2 ;;
esac
case "$top" in
*[!A-Za-z0-9/._-]*)
	echo "gpio-sim-vm: the checkout's path '$top' must be plain (letters, digits, / . _ -)" >&2
	exit 2
	;;
esac
[ "$(uname -m)" = x86_64 ] || {
	echo "gpio-sim-vm: x86-64 hosts only" >&2
	exit 2
}
for tool in qemu-system-x86_64 busybox; do
	command -v "$tool" >/dev/null || {
		echo "gpio-sim-vm: no $tool (run scripts/install-deps.sh vm)" >&2
		exit 2
	}
done

# The modules the machine needs besides gpio-sim: virtio's PCI transport
# and 9p (to see the host's files), configfs (gpio-sim is set up through
# it). Those they depend on come too; those built into the kernel are
# left out.
MODULES="virtio_pci 9pnet_virtio 9p configfs"

# Copy a module, after those it depends on, into the initramfs, and add it
# to the order the machine loads them in.
add_module() {
	local name file out dep
	name=$1
	grep -qx "$name" "$dir/initramfs/lib/modules/order" && return 0
	file=$(find "$moddir/kernel" -name "$name.ko*" -o \
		-name "$(echo "$name" | tr _ -).ko*" | head -n 1)
	if [ -z "$file" ]; then
		grep -q "/$name.ko\$" "$moddir/modules.builtin" && return 0
		echo "gpio-sim-vm: no module $name in $moddir" >&2
		exit 1
	fi
	out=$dir/initramfs/lib/modules/$name.ko
	case "$file" in
	*.xz) xz -dc "$file" >"$out" ;;
	*) cp "$file" "$out" ;;
	esac
	for dep in $(strings -a "$out" | sed -n 's/^depends=//p' | tr , ' '); do
		add_module "$dep"
	done
	echo "$name" >>"$dir/initramfs/lib/modules/order"
}

build() {
	rm -rf "$dir/work"
	mkdir -p "$dir/work/debs" "$dir/work/src" "$dir/work/mod" "$dir/initramfs/bin" \
		"$dir/initramfs/lib/modules"
	. "$top/scripts/apt-private.sh"
	# From the archive this machine's apt uses.
	mirror=$(apt_mirror)
	case "$suite" in
	bookworm)
		sources="deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $(apt_mirror security) bookworm-security main"
		;;
	bookworm-backports)
		sources="deb $mirror bookworm-backports main"
		;;
	esac
	echo "gpio-sim-vm: downloading the kernel of $suite, its headers and its source"
	apt_private "$dir/work/apt" "$sources"
	# The kernel linux-image-amd64 stands for, e.g. 6.1.0-56-amd64; its
	# headers, their common part and the kbuild tools, in one version.
	abi=$(apt_query depends linux-image-amd64 |
		sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
	ver=$(apt_query policy "linux-image-$abi-unsigned" |
		sed -n 's/^ *Candidate: //p')
	series=$(echo "$abi" | cut -d. -f1,2)
	[ -n "$abi" ] && [ -n "$ver" ] || {
		echo "gpio-sim-vm: no kernel package found" >&2
		exit 1
	}
	headers_deps=$(apt_query depends "linux-headers-$abi=$ver" |
		sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\).*/\1/p')
	pkgs="linux-image-$abi-unsigned linux-headers-$abi $headers_deps"
	(cd "$dir/work/debs" && for p in $pkgs; do apt_fetch "$p=$ver"; done &&
		apt_fetch "linux-source-$series=$ver")
	for deb in "$dir"/work/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/work/root"
	done
	root=$dir/work/root
	headers=$root/usr/src/linux-headers-$abi
	# The headers include their common part by absolute path.
	sed -i "s|/usr/src/|$root/usr/src/|" "$headers/Makefile"
	tar -xJf "$root/usr/src/linux-source-$series.tar.xz" -C "$dir/work/src" \
		--strip-components=1 "linux-source-$series/drivers/gpio/gpio-sim.c" \
		"linux-source-$series/drivers/gpio/gpiolib.h" \
		"linux-source-$series/kernel/irq/irq_sim.c"
	cp "$dir/work/src/drivers/gpio/gpio-sim.c" "$dir/work/src/drivers/gpio/gpiolib.h" \
		"$dir/work/src/kernel/irq/irq_sim.c" "$dir/work/mod/"
	sed -i 's/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' \
		"$dir/work/mod/irq_sim.c"
	grep -q 'generic_handle_irq(irqnum)' "$dir/work/mod/irq_sim.c" || {
		echo "gpio-sim-vm: irq_sim.c has changed; this script needs a look" >&2
		exit 1
	}
	printf 'obj-m += gpio-sim-kiosk.o\ngpio-sim-kiosk-y := gpio-sim.o irq_sim.o\n' \
		>"$dir/work/mod/Kbuild"
	echo "gpio-sim-vm: building gpio-sim for $abi"
	# Without BTF, which would need pahole and the kernel's vmlinux.
	make -s -C "$headers" M="$dir/work/mod" CONFIG_DEBUG_INFO_BTF_MODULES= \
		modules

	moddir=$root/lib/modules/$abi
	: >"$dir/initramfs/lib/modules/order"
	for m in $MODULES; do
		add_module "$m"
	done
	cp "$dir/work/mod/gpio-sim-kiosk.ko" "$dir/initramfs/lib/modules/"
	echo gpio-sim-kiosk >>"$dir/initramfs/lib/modules/order"
	cp "$(command -v busybox)" "$dir/initramfs/bin/busybox"
	write_init >"$dir/initramfs/init"
	chmod 755 "$dir/initramfs/init"
	(cd "$dir/initramfs" && find . | busybox cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$dir/initrd.img.new"
	cp "$root/boot/vmlinuz-$abi" "$dir/vmlinuz"
	mv "$dir/initrd.img.new" "$dir/initrd.img"
	echo "$abi $ver" >"$dir/kernel"
	rm -rf "$dir/work" "$dir/initramfs"
}

# The machine's first and only process before the command: mount, load,
# run, report, power off. A failure before the command leaves status 125.
write_init() {
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /host
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
arg() { sed -n "s/.*kiosk\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
top=$(arg top)
dir=$(arg dir)
fail() {
	echo "gpio-sim-vm: $*"
	poweroff -f
}
for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m.ko" || fail "cannot load $m"
done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro root /host ||
	fail "cannot mount the host's root"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t configfs configfs /host/sys/kernel/config
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
# Last, as the checkout may be below /tmp (a CI clone in mktemp -d).
mkdir -p "/host$top" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 top "/host$top" ||
	fail "cannot mount the checkout"
chroot /host /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 /bin/sh "$dir/job.sh"
echo $? >"/host$dir/status"
sync
poweroff -f
EOF
}

[ -f "$dir/initrd.img" ] && [ -f "$dir/vmlinuz" ] || build
# The job's first act marks that the machine came up: a boot that never
# reached it (an emulated kernel can panic before user space, as one did
# in CI at 1.6 s, in sched_clock_cpu as a static key was being patched)
# is the emulator's fault, not the command's, and is tried again, up to
# three boots.
printf ': >%s/booted\ncd %s || exit 125\n%s\n' "$dir" "$top" "$job" >"$dir/job.sh"
# Software emulation by default: KVM inside this project's CI machines
# (themselves virtual) hangs at boot. GPIO_SIM_VM_ACCEL=kvm asks for it.
accel=${GPIO_SIM_VM_ACCEL:-tcg}
for boot in 1 2 3; do
	echo 125 >"$dir/status"
	rm -f "$dir/booted"
	echo "gpio-sim-vm: booting $(cut -d' ' -f1 "$dir/kernel") ($accel)"
	timeout 1800 qemu-system-x86_64 -accel "$accel" -m 1024 -smp 2 \
		-display none -serial stdio -monitor none -no-reboot -nic none \
		-kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 kiosk.top=$top kiosk.dir=$dir" \
		-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$top,mount_tag=top,security_model=none,multidevs=remap" \
		</dev/null
	[ -e "$dir/booted" ] && break
	echo "gpio-sim-vm: the machine stopped before the command ran (boot $boot of 3)"
done
exit "$(cat "$dir/status")"
