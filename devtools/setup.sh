#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Install everything vftoken needs on Debian 12 and build it into build/.
# Idempotent: a second run only re-checks and rebuilds.
#
# Environment:
#   VFTOKEN_CACHE  cache for the DPDK SDK headers, guest kernels and the
#                  private apt configuration (default /var/cache/vftoken)
#   VFTOKEN_SKIP_BUILD=1  install only
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${VFTOKEN_CACHE:-/var/cache/vftoken}
BUILD=${VFTOKEN_BUILD:-$ROOT/build}

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get, sriov sysfs and VFIO need it)"
[ -r /etc/os-release ] && . /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] ||
	log "warning: tested on Debian 12 (bookworm), this is '${VERSION_CODENAME:-unknown}'"

export DEBIAN_FRONTEND=noninteractive

APT_PKGS="build-essential gcc clang llvm meson ninja-build pkg-config python3-pyelftools
libnuma-dev dpdk dpdk-dev libdpdk-dev uuid-dev libcmocka-dev libjansson-dev
clang-format cppcheck shellcheck python3-sphinx python3-sphinx-rtd-theme
busybox-static cpio kmod dpkg-dev xz-utils zstd jq procps iproute2 file
python3-matplotlib libclang-rt-14-dev groff-base man-db systemd util-linux
bash-completion
flex bison bc libelf-dev libssl-dev
tcpdump"

# --- 1. apt packages -------------------------------------------------------
# (flex ... libssl-dev: devtools/vm/build-kernel.sh builds the rig's own
# 7.2-iommufd kernel when a VM test first needs it. tcpdump: the
# multiprocess scenario reads back the pcapng and pcap files that
# dpdk-dumpcap and dpdk-pdump write; it asks no debconf question.)

# A dpkg run that was cut off (the machine stopped in the middle of an
# install) leaves its journal in dpkg's updates/ directory, and apt then
# refuses every install ("dpkg was interrupted") until the journal is
# applied and the half-done packages are configured.
dpkg_recover() {
	set -- /var/lib/dpkg/updates/[0-9]*
	[ -e "$1" ] || return 0
	log "finishing an interrupted dpkg run (dpkg --configure -a)"
	dpkg --configure -a >/dev/null || die "dpkg --configure -a failed: fix dpkg, then run again"
}
dpkg_recover

missing=""
for p in $APT_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
apt_updated=0
if [ -n "$missing" ]; then
	log "installing:$missing"
	apt-get update -qq
	apt_updated=1
	# --reinstall: a package that an interrupted run left half-installed
	# is not "missing" to apt, which would leave it so
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends --reinstall $missing >/dev/null
fi

# --- 2. QEMU >= 8.0 for the igb (82576) device --------------------------------
qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 &&
		qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}
if ! qemu_ok; then
	BP=/etc/apt/sources.list.d/bookworm-backports.sources
	if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		log "adding bookworm-backports (used only for QEMU, with -t)"
		cat >"$BP" <<EOS
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
		apt_updated=0
	fi
	[ "$apt_updated" = 1 ] || apt-get update -qq
	log "installing QEMU from bookworm-backports"
	apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		qemu-system-x86 qemu-utils >/dev/null
	qemu_ok || die "qemu-system-x86_64 has no 'igb' device (need QEMU >= 8.0)"
fi

# --- 3. private apt configuration (sources and guest kernels) ---------------
# Other suites never enter the system's sources: they live in their own
# sources list and state directory under the cache.
mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/archives/partial" \
	"$CACHE/apt/etc/preferences.d" "$CACHE/kernels" "$CACHE/sdk"
cat >"$CACHE/apt/etc/sources.list" <<EOS
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOS
cat >"$CACHE/apt/apt.conf" <<EOS
Dir::Etc::SourceList "$CACHE/apt/etc/sources.list";
Dir::Etc::SourceParts "$CACHE/apt/etc/sources.list.d";
Dir::Etc::Preferences "$CACHE/apt/etc/preferences";
Dir::Etc::PreferencesParts "$CACHE/apt/etc/preferences.d";
Dir::State "$CACHE/apt";
Dir::State::Lists "$CACHE/apt/lists";
Dir::State::status "$CACHE/apt/status";
Dir::Cache "$CACHE/apt";
Dir::Cache::Archives "$CACHE/apt/archives";
APT::Get::AllowUnauthenticated "false";
EOS
mkdir -p "$CACHE/apt/etc/sources.list.d"
touch "$CACHE/apt/status"
# Refresh the private lists at most once a day.
stamp="$CACHE/apt/updated"
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mtime +0 2>/dev/null)" ]; then
	log "refreshing the private apt lists"
	APT_CONFIG="$CACHE/apt/apt.conf" apt-get update -qq && touch "$stamp"
fi

# --- 4. DPDK driver SDK headers from the same version's source package ------
dpdk_ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
sdk="$CACHE/sdk/dpdk-$dpdk_ver"
if [ ! -f "$sdk/.complete" ]; then
	log "fetching the DPDK $dpdk_ver source package for the driver SDK headers"
	rm -rf "$sdk" && mkdir -p "$sdk/src"
	(cd "$sdk/src" && APT_CONFIG="$CACHE/apt/apt.conf" \
		apt-get source -qq --download-only "dpdk=$dpdk_ver" >/dev/null) ||
		die "the source package dpdk=$dpdk_ver is not available; the driver SDK headers must match the installed libdpdk-dev exactly"
	(cd "$sdk/src" && dpkg-source -x --no-check ./*.dsc tree >/dev/null)
	[ -f "$sdk/src/tree/lib/eal/include/bus_driver.h" ] || die "unexpected DPDK source layout in $sdk/src/tree"
	mkdir -p "$sdk/include"
	# Driver SDK headers are the ones Debian does not ship in libdpdk-dev.
	for d in lib/eal/include lib/ethdev drivers/bus/pci lib/eal/linux/include \
		drivers/bus/pci/linux lib/pci; do
		for h in "$sdk/src/tree/$d"/*.h; do
			[ -e "/usr/include/dpdk/$(basename "$h")" ] || cp "$h" "$sdk/include/"
		done
	done
	cp "$sdk/src/tree/VERSION" "$sdk/VERSION"
	# The unpacked tree stays for reading (src/tree); the archives go.
	rm -f "$sdk/src"/*.tar.* "$sdk/src"/*.dsc
	touch "$sdk/.complete"
fi
for h in bus_driver.h dev_driver.h bus_pci_driver.h ethdev_driver.h ethdev_pci.h; do
	[ -f "$sdk/include/$h" ] || die "driver SDK header $h missing from $sdk/include"
done
ln -sfn "$sdk" "$CACHE/sdk/current"
log "DPDK $dpdk_ver, SDK headers in $sdk/include"

# --- 5. build ---------------------------------------------------------------
if [ "${VFTOKEN_SKIP_BUILD:-0}" != 1 ]; then
	blog="$CACHE/build-$(echo "$BUILD" | tr / _).log"
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$ROOT" -Ddpdk_sdk="$sdk/include" >"$blog" 2>&1
	else
		meson configure "$BUILD" -Ddpdk_sdk="$sdk/include" >"$blog" 2>&1
	fi || { tail -30 "$blog"; die "meson setup failed (log: $blog)"; }
	ninja -C "$BUILD" >>"$blog" 2>&1 ||
		{ tail -40 "$blog"; die "build failed (log: $blog)"; }
	log "built into $BUILD"
fi
