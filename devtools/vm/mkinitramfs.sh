#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Build (or reuse) the VM rig's initramfs for an unpacked guest kernel.
# Usage: mkinitramfs.sh <kernel dir from fetch-kernel.sh>
#
# Contents: busybox-static, /init (initramfs-init), and the modules stage 1
# needs to reach the host root -- virtio PCI, 9p over virtio, overlayfs --
# with their dependencies, in load order, decompressed (busybox insmod cannot
# read .ko.xz/.ko.zst).  Modules built into the kernel are skipped, as
# modules.builtin says.  The archive is an uncompressed cpio: decompressing in
# the guest costs more under TCG than copying a few MB.
#
# Cached next to the kernel as initrd-<hash>.cpio, the hash covering this
# script, initramfs-init, busybox and the kernel package, so editing the init
# script rebuilds it.  Prints the path.
set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUSYBOX=${VFTOKEN_BUSYBOX:-/bin/busybox}
# Modules stage 1 loads; their dependencies are added from modules.dep.
TARGETS="virtio_pci 9pnet_virtio 9p overlay"

say() { printf 'mkinitramfs: %s\n' "$*" >&2; }
die() { printf 'mkinitramfs: error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 <unpacked kernel dir>"
kdir=$1
[ -r "$kdir/.kver" ] || die "'$kdir' is not a kernel unpacked by fetch-kernel.sh (no .kver)"
kver=$(cat "$kdir/.kver")
mods="$kdir/lib/modules/$kver"
[ -r "$mods/modules.dep" ] || die "no modules.dep in $mods"
[ -x "$BUSYBOX" ] || die "busybox '$BUSYBOX' missing (apt-get install busybox-static)"
file -L "$BUSYBOX" | grep -q 'statically linked' ||
	die "busybox '$BUSYBOX' is not statically linked (need busybox-static)"

key=$(cat "$HERE/mkinitramfs.sh" "$HERE/initramfs-init" "$BUSYBOX" "$kdir/.package" |
	sha256sum | cut -c1-16)
out="$kdir/initrd-$key.cpio"
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi

# Normalise a module name the way kmod does (dashes and underscores are equal).
norm() { printf '%s' "$1" | tr '-' '_'; }

# modules.dep relative path of module $1, empty if built in or unknown.
modpath() {
	local n
	n=$(norm "$1")
	awk -F: -v n="$n" '{
		b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b)
		if (b == n) { print $1; exit }
	}' "$mods/modules.dep"
}

builtin() {
	local n
	n=$(norm "$1")
	sed -e 's|.*/||' -e 's|\.ko$||' "$mods/modules.builtin" | tr '-' '_' | grep -qx "$n"
}

declare -A seen=()
order=()

# Append module path $1 to the load order after its own dependencies.
visit() {
	local p=$1 d
	[ -n "${seen[$p]:-}" ] && return 0
	seen[$p]=1
	# shellcheck disable=SC2013 # dependencies are space-separated paths
	for d in $(awk -F: -v p="$p" '$1 == p { print $2; exit }' "$mods/modules.dep"); do
		visit "$d"
	done
	order+=("$p")
}

for t in $TARGETS; do
	if builtin "$t"; then
		continue
	fi
	p=$(modpath "$t")
	[ -n "$p" ] || die "module $t is neither built into $kver nor in its modules.dep"
	visit "$p"
done

say "building initramfs for $kver"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/modules"
cp "$BUSYBOX" "$tmp/bin/busybox"
install -m 0755 "$HERE/initramfs-init" "$tmp/init"
: >"$tmp/modules.list"
for p in "${order[@]}"; do
	name=$(basename "$p")
	name=${name%.xz}
	name=${name%.zst}
	name=${name%.gz}
	name=${name%.ko}
	case $p in
	*.xz) xz -dc "$mods/$p" >"$tmp/modules/$name.ko" ;;
	*.zst) zstd -qdc "$mods/$p" >"$tmp/modules/$name.ko" ;;
	*.gz) gzip -dc "$mods/$p" >"$tmp/modules/$name.ko" ;;
	*) cp "$mods/$p" "$tmp/modules/$name.ko" ;;
	esac
	echo "$name" >>"$tmp/modules.list"
done
say "modules: $(tr '\n' ' ' <"$tmp/modules.list")"

(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
rm -f "$kdir"/initrd-*.cpio
mv "$out.tmp" "$out"
echo "$out"
