# shellcheck shell=sh
# Sourced by the scripts that work in a Debian root of their own
# (check-trixie.sh, appliance-vm.sh): what they mount is listed, newest
# first, so their exit trap can undo all of it in the right order.
#
#   mount_in TYPE-OR-bind SOURCE TARGET
#   unmount_all          (lazily where a mount is still busy)

mounted=""

mount_in() {
	if [ "$1" = bind ]; then
		mount --bind "$2" "$3"
	else
		mount -t "$1" "$2" "$3"
	fi
	mounted="$3 $mounted"
}

unmount_all() {
	for m in $mounted; do
		umount "$m" || umount -l "$m" || true
	done
	mounted=""
}
