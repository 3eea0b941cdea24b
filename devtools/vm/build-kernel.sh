#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Build the VM rig's own kernel from Debian's linux-source-7.2 binary
# package: the only rig kernel with IOMMUFD and the vfio cdev (Debian's
# kernels have IOMMUFD off).  Usage: build-kernel.sh [7.2-iommufd]
#
#   fetch      the newest linux-source-7.2 through the private apt
#              configuration (devtools/setup.sh), never installed
#   unpack     its tarball into $VFTOKEN_CACHE/kbuild/src/<version>/
#   configure  make allnoconfig + devtools/vm/kernel-7.2-iommufd.config
#   build      bzImage + modules (igb only) in $VFTOKEN_CACHE/kbuild/obj
#   install    $VFTOKEN_CACHE/kernels/7.2-iommufd/ laid out like an unpacked
#              Debian kernel (fetch-kernel.sh): vmlinux (PVH entry), vmlinuz,
#              lib/modules/<ver>/ with depmod's files, .kver, .package, and
#              .cmdline (vfio_pci.enable_sriov=1: vfio-pci is built in)
#
# The result is keyed by the config fragment's hash and the source version:
# a run with both unchanged only prints the directory; a changed fragment
# rebuilds incrementally in the same object directory.  One build at a time
# (flock on $VFTOKEN_CACHE/kbuild/.lock).  Progress goes to stderr, the
# kernel directory to stdout.  Environment: VFTOKEN_CACHE, VFTOKEN_KBUILD_JOBS
# (default: number of CPUs + 1).
set -eu

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
CACHE=${VFTOKEN_CACHE:-/var/cache/vftoken}
export APT_CONFIG=${APT_CONFIG:-$CACHE/apt/apt.conf}
NAME=7.2-iommufd
SRC_PKG=linux-source-7.2
FRAGMENT=$HERE/kernel-$NAME.config
# Bump when the recipe below changes what is built from the same inputs.
RECIPE=1
KB=$CACHE/kbuild
DEST=$CACHE/kernels/$NAME

say() { printf 'build-kernel: %s\n' "$*" >&2; }
die() {
	printf 'build-kernel: error: %s\n' "$*" >&2
	exit 1
}

[ $# -le 1 ] || die "usage: $0 [$NAME]"
[ "${1:-$NAME}" = "$NAME" ] || die "unknown kernel '$1' (this script builds '$NAME')"
[ -r "$FRAGMENT" ] || die "config fragment $FRAGMENT missing"
for t in make gcc flex bison bc perl xz depmod readelf; do
	command -v "$t" >/dev/null || die "'$t' missing (devtools/setup.sh installs the kernel build tools)"
done
[ -r /usr/include/libelf.h ] || die "libelf.h missing (apt-get install libelf-dev; devtools/setup.sh does)"

mkdir -p "$KB"
exec {lockfd}>"$KB/.lock"
if ! flock -n "$lockfd"; then
	say "waiting for $KB/.lock (another build of the kernel is running)"
	flock "$lockfd"
fi

# Newest version of the source package in the private apt lists; falls back
# to the unpacked source when apt knows none (offline, lists not refreshed).
source_version() {
	local v=
	[ -r "$APT_CONFIG" ] &&
		v=$(apt-cache show "$SRC_PKG" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	if [ -z "$v" ]; then
		v=$(find "$KB/src" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' 2>/dev/null |
			xargs -r -n1 basename | sort -V | tail -n 1)
	fi
	[ -n "$v" ] || die "cannot resolve $SRC_PKG from the private apt lists ($APT_CONFIG; run devtools/setup.sh)"
	echo "$v"
}

ver=$(source_version)
fhash=$(grep -v '^[[:space:]]*#' "$FRAGMENT" | grep -v '^[[:space:]]*$' | sha256sum | cut -c1-16)
key="$SRC_PKG=$ver config=$fhash recipe=$RECIPE"
if [ -f "$DEST/.key" ] && [ "$(cat "$DEST/.key")" = "$key" ] && [ -f "$DEST/vmlinux" ]; then
	echo "$DEST"
	exit 0
fi
say "building $NAME from $SRC_PKG $ver, config $fhash (cached kernel: $(cat "$DEST/.key" 2>/dev/null || echo none))"
t_all=$SECONDS

# --- fetch + unpack -----------------------------------------------------------
src=$KB/src/$ver
if [ ! -f "$src/.complete" ]; then
	rm -rf "$src" "$KB/src/.dl"
	mkdir -p "$KB/src/.dl"
	t0=$SECONDS
	say "fetch: apt-get download $SRC_PKG=$ver (~160 MB)"
	(cd "$KB/src/.dl" && apt-get download -q=2 -o APT::Sandbox::User=root "$SRC_PKG=$ver") ||
		die "apt-get download $SRC_PKG=$ver failed"
	deb=$(ls "$KB/src/.dl"/*.deb)
	say "fetch: $(basename "$deb") ($(du -h "$deb" | cut -f1), $((SECONDS - t0)) s)"
	t0=$SECONDS
	say "unpack: the kernel tarball into $src (~1.8 GB)"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		xz -dc -T0 | tar -x -C "$src" || die "unpacking $deb failed"
	rm -rf "$KB/src/.dl"
	tree=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n 1)
	[ -n "$tree" ] && [ -f "$tree/Makefile" ] || die "no linux-source-* tree in $deb"
	ln -sfn "$(basename "$tree")" "$src/tree"
	touch "$src/.complete"
	say "unpack: done ($((SECONDS - t0)) s)"
	# Older versions' trees are 1.8 GB each: keep only this one.
	find "$KB/src" -mindepth 1 -maxdepth 1 -type d ! -name "$ver" ! -name .dl -exec rm -rf {} +
fi
tree=$src/tree

# --- configure ------------------------------------------------------------------
obj=$KB/obj
# A new source version starts from a clean object directory.
if [ "$(cat "$obj/.source" 2>/dev/null)" != "$ver" ]; then
	rm -rf "$obj"
	mkdir -p "$obj"
	echo "$ver" >"$obj/.source"
fi
t0=$SECONDS
say "configure: allnoconfig + $(basename "$FRAGMENT")"
make -C "$tree" O="$obj" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >"$obj/config.log" 2>&1 ||
	{
		tail -20 "$obj/config.log" >&2
		die "make allnoconfig failed (log: $obj/config.log)"
	}
# Kconfig silently drops a symbol whose dependencies are not met: insist.
lost=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAGMENT" | while read -r line; do
	grep -qxF "$line" "$obj/.config" || echo "$line"
done)
[ -z "$lost" ] || die "these lines of $(basename "$FRAGMENT") did not survive the configuration (missing dependencies?): $(echo "$lost" | tr '\n' ' ')"
say "configure: $(grep -c '=y$' "$obj/.config") built-in, $(grep -c '=m$' "$obj/.config") modular options ($((SECONDS - t0)) s)"

# --- build ------------------------------------------------------------------------
jobs=${VFTOKEN_KBUILD_JOBS:-$(($(nproc) + 1))}
t0=$SECONDS
# bash's times, in this shell (a $(...) subshell would report its own):
# the second line is the children's user and sys time so far.
times >"$obj/.times-before"
say "build: make -j$jobs bzImage modules (log: $obj/build.log)"
make -C "$tree" O="$obj" -j"$jobs" bzImage modules >"$obj/build.log" 2>&1 &
mpid=$!
while kill -0 "$mpid" 2>/dev/null; do
	for _ in $(seq 30); do
		kill -0 "$mpid" 2>/dev/null || break
		sleep 1
	done
	kill -0 "$mpid" 2>/dev/null && say "build: still building, $((SECONDS - t0)) s"
done
wait "$mpid" || {
	tail -30 "$obj/build.log" >&2
	die "kernel build failed (log: $obj/build.log)"
}
t_build=$((SECONDS - t0))
# CPU time of the build (children's user + sys during make, bash's
# times): the figure that does not depend on what else loads the machine.
times >"$obj/.times-after"
child_cpu() { tail -n 1 "$1" | awk '{ for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t }'; }
cpu=$(($(child_cpu "$obj/.times-after") - $(child_cpu "$obj/.times-before")))
say "build: done in $t_build s (CPU $cpu s user+sys on $(nproc) CPUs)"

# --- install ----------------------------------------------------------------------
kver=$(make -s -C "$tree" O="$obj" kernelrelease 2>/dev/null | tail -n 1)
[ -n "$kver" ] || die "cannot read the kernel release from $obj"
readelf -n "$obj/vmlinux" 2>/dev/null | grep -q 'note type: (0x00000012)' ||
	die "$obj/vmlinux has no PVH entry note (CONFIG_PVH)"
mkdir -p "$CACHE/kernels"
tmp=$(mktemp -d "$CACHE/kernels/.build-$NAME.XXXXXX")
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
make -s -C "$tree" O="$obj" INSTALL_MOD_PATH="$tmp" INSTALL_MOD_STRIP=1 DEPMOD=true modules_install \
	>>"$obj/build.log" 2>&1 || die "modules_install failed (log: $obj/build.log)"
depmod -b "$tmp" "$kver"
# modules_install links build/ and source/ to the trees; the rig does not need them.
rm -f "$tmp/lib/modules/$kver/build" "$tmp/lib/modules/$kver/source"
cp "$obj/vmlinux" "$tmp/vmlinux"
cp "$obj/arch/x86/boot/bzImage" "$tmp/vmlinuz"
cp "$obj/.config" "$tmp/config"
echo "$kver" >"$tmp/.kver"
echo "$SRC_PKG=$ver config=$fhash" >"$tmp/.package"
# vfio-pci is built in: its module parameter goes on the command line.
echo "vfio_pci.enable_sriov=1" >"$tmp/.cmdline"
echo "$t_build" >"$tmp/.build-seconds"
echo "$key" >"$tmp/.key"
rm -rf "$DEST.old"
[ -e "$DEST" ] && mv "$DEST" "$DEST.old"
mv "$tmp" "$DEST"
trap - EXIT
rm -rf "$DEST.old"
say "$NAME is $kver in $DEST (build $t_build s, all steps $((SECONDS - t_all)) s)"
echo "$DEST"
