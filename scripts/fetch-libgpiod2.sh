#!/bin/sh
# Fetch libgpiod 2.x from Debian bookworm-backports and unpack it into a
# local prefix, so that the kiosk's v2 GPIO backend is built and tested on
# a Debian 12 machine too (which ships 1.6) without touching the system:
# apt runs with private state in DIR, and nothing is installed.
#
#   scripts/fetch-libgpiod2.sh DIR
#
# Afterwards DIR/pkgconfig/libgpiod.pc points into DIR; use it with
# PKG_CONFIG_PATH=DIR/pkgconfig. Does nothing when DIR already has it.
set -eu

dir=${1:?usage: fetch-libgpiod2.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ -f "$dir/pkgconfig/libgpiod.pc" ] && exit 0

suite=bookworm-backports
. "$(dirname "$0")/apt-private.sh"
mkdir -p "$dir/debs"
echo "fetch-libgpiod2: downloading libgpiod 2.x from $suite"
apt_private "$dir/apt" "deb $(apt_mirror) $suite main"
cd "$dir/debs"
apt_fetch "libgpiod-dev/$suite" "libgpiod3/$suite"
for deb in ./*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done

pc=$(find "$dir/root" -name libgpiod.pc | head -n 1)
[ -n "$pc" ] || { echo "fetch-libgpiod2: no libgpiod.pc in the packages" >&2; exit 1; }
mkdir -p "$dir/pkgconfig"
sed "s|^prefix=.*|prefix=$dir/root/usr|" "$pc" >"$dir/pkgconfig/libgpiod.pc"
rm -rf "$dir/apt"
echo "fetch-libgpiod2: libgpiod $(sed -n 's/^Version: //p' "$dir/pkgconfig/libgpiod.pc") in $dir"
