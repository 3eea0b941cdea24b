#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Install everything vftoken needs on Debian 12 (bookworm), 13 (trixie) or
# testing (forky) and build it into build/. Idempotent: a second run only
# re-checks and rebuilds.
#
# Usage: devtools/setup.sh [--sdk-only]
#   --sdk-only  fetch the DPDK driver SDK headers into the cache and print
#               their directory (for -Ddpdk_sdk=, debian/rules'
#               VFTOKEN_DPDK_SDK); installs and builds nothing else. Needs
#               libdpdk-dev and dpkg-dev installed (a package build's
#               Build-Depends).
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

sdk_only=0
for a in "$@"; do
	case "$a" in
	--sdk-only) sdk_only=1 ;;
	-h | --help) sed -n '3,21p' "$0"; exit 0 ;;
	*) die "unknown argument '$a' (expected --sdk-only)" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get, sriov sysfs and VFIO need it)"
[ -r /etc/os-release ] && . /etc/os-release
SUITE=${VERSION_CODENAME:-unknown}
case "$SUITE" in
bookworm | trixie | forky) ;;
*) log "warning: tested on Debian 12 (bookworm), 13 (trixie) and testing (forky), this is '$SUITE'" ;;
esac

export DEBIAN_FRONTEND=noninteractive

APT_PKGS="build-essential gcc clang llvm meson ninja-build pkg-config python3-pyelftools
libnuma-dev dpdk dpdk-dev libdpdk-dev uuid-dev libcmocka-dev libjansson-dev
clang-format cppcheck shellcheck python3-sphinx python3-sphinx-rtd-theme
busybox-static cpio kmod dpkg-dev xz-utils zstd jq procps iproute2 file
python3-matplotlib groff-base man-db systemd util-linux
bash-completion
flex bison bc libelf-dev libssl-dev
tcpdump
podman"

# --- 1. apt packages -------------------------------------------------------
# (podman: the containers scenario runs Debian's Podman in the guest, whose
# root is the host's; conmon and crun come with it, and nothing it
# recommends is needed: no registry, no network, no rootless mode.
# flex ... libssl-dev: devtools/vm/build-kernel.sh builds the rig's own
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

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
apt_updated=0
apt_install() {
	missing=""
	for p in "$@"; do
		installed "$p" || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	log "installing:$missing"
	[ "$apt_updated" = 1 ] || apt-get update -qq
	apt_updated=1
	# --reinstall: a package that an interrupted run left half-installed
	# is not "missing" to apt, which would leave it so
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends --reinstall $missing >/dev/null
}

# The sanitizer and fuzzer runtimes of the installed clang: their package
# carries clang's major version (libclang-rt-14-dev on Debian 12, 19 on 13).
clang_rt_pkg() {
	v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -n 1)
	[ -n "$v" ] || die "cannot read clang's major version from 'clang --version'"
	echo "libclang-rt-$v-dev"
}

if [ "$sdk_only" = 0 ]; then
	# shellcheck disable=SC2086
	apt_install $APT_PKGS
	apt_install "$(clang_rt_pkg)"
else
	for p in libdpdk-dev dpkg-dev; do
		installed "$p" || die "--sdk-only needs $p installed (apt-get install $p)"
	done
fi

# --- 2. QEMU >= 8.0 for the igb (82576) device --------------------------------
# Debian 13 and later ship it. On Debian 12 it comes from bookworm-backports
# through a private sources list and lists directory under the cache, with
# the system's dpkg status (a real install): backports never enter the
# system's apt sources.
qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 &&
		qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}

# The system file earlier versions of this script wrote: removed only when
# it is byte for byte what they wrote.
old_bp=/etc/apt/sources.list.d/bookworm-backports.sources
old_bp_text='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
if [ "$sdk_only" = 0 ] && [ -f "$old_bp" ]; then
	if [ "$(cat "$old_bp")" = "$old_bp_text" ] &&
		[ "$(wc -l <"$old_bp")" = 5 ]; then
		log "removing $old_bp (written by an earlier setup.sh; QEMU now comes through a private list)"
		rm -f "$old_bp"
	else
		log "leaving $old_bp: it is not the file an earlier setup.sh wrote"
	fi
fi

if [ "$sdk_only" = 0 ] && ! qemu_ok; then
	if [ "$SUITE" = bookworm ]; then
		q="$CACHE/apt/qemu"
		mkdir -p "$q/lists/partial"
		key=/usr/share/keyrings/debian-archive-keyring.gpg
		cat >"$q/sources.list" <<EOS
deb [signed-by=$key] http://deb.debian.org/debian bookworm main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$key] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-backports main
EOS
		qapt() {
			apt-get -o Dir::Etc::SourceList="$q/sources.list" \
				-o Dir::Etc::SourceParts=/dev/null \
				-o Dir::State::Lists="$q/lists" "$@"
		}
		log "installing QEMU from bookworm-backports (private list $q/sources.list)"
		qapt update -qq
		qapt install -y -qq --no-install-recommends -t bookworm-backports \
			qemu-system-x86 qemu-utils >/dev/null
	else
		apt_install qemu-system-x86 qemu-utils
	fi
	qemu_ok || die "qemu-system-x86_64 has no 'igb' device (need QEMU >= 8.0)"
fi

# --- 3. private apt configuration (sources and guest kernels) ---------------
# Other suites never enter the system's sources: they live in their own
# sources list and state directory under the cache. deb: the guest kernels
# (devtools/vm/fetch-kernel.sh). deb-src: the DPDK source package of the
# running suite, then bookworm's (section 4).
mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/archives/partial" \
	"$CACHE/apt/etc/preferences.d" "$CACHE/kernels" "$CACHE/sdk"
key=/usr/share/keyrings/debian-archive-keyring.gpg
src_suites=bookworm
case "$SUITE" in
trixie) src_suites="trixie bookworm" ;;
forky) src_suites="forky sid bookworm" ;;
esac
{
	cat <<EOS
deb [signed-by=$key] http://deb.debian.org/debian bookworm main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$key] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=$key] http://deb.debian.org/debian trixie-backports main
deb [signed-by=$key] http://deb.debian.org/debian trixie main
EOS
	for su in $src_suites; do
		echo "deb-src [signed-by=$key] http://deb.debian.org/debian $su main"
	done
} >"$CACHE/apt/etc/sources.list.new"
# A changed list is fetched now, not after the daily refresh.
if ! cmp -s "$CACHE/apt/etc/sources.list.new" "$CACHE/apt/etc/sources.list"; then
	mv "$CACHE/apt/etc/sources.list.new" "$CACHE/apt/etc/sources.list"
	rm -f "$CACHE/apt/updated"
else
	rm -f "$CACHE/apt/etc/sources.list.new"
fi
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
# The headers Debian does not ship in libdpdk-dev (bus_driver.h,
# bus_pci_driver.h, ...) come from the source package of exactly the
# installed version. Where it cannot be fetched (a mirror without that
# suite's sources), the newest other release's that can is used, and the
# build goes on only because drivers/bus/sriov/sriov_pci_bus.c asserts, for
# the installed release, every size and member offset of the structures the
# bus uses from them: a difference stops the build
# (doc/guides/getting_started.rst, "Requirements").
dpdk_ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)

# sdk_fetch VERSION: unpack dpdk=VERSION's SDK headers into the cache.
sdk_fetch() {
	d="$CACHE/sdk/dpdk-$1"
	[ -f "$d/.complete" ] && return 0
	log "fetching the DPDK $1 source package for the driver SDK headers"
	rm -rf "$d" && mkdir -p "$d/src"
	if ! (cd "$d/src" && APT_CONFIG="$CACHE/apt/apt.conf" \
		apt-get source -qq --download-only "dpdk=$1" >/dev/null 2>&1); then
		log "the source package dpdk=$1 cannot be fetched here"
		rm -rf "$d"
		return 1
	fi
	(cd "$d/src" && dpkg-source -x --no-check ./*.dsc tree >/dev/null) ||
		die "cannot unpack the dpdk=$1 source package in $d/src"
	[ -f "$d/src/tree/lib/eal/include/bus_driver.h" ] || die "unexpected DPDK source layout in $d/src/tree"
	mkdir -p "$d/include"
	# Driver SDK headers are the ones Debian does not ship in libdpdk-dev.
	for dir in lib/eal/include lib/ethdev drivers/bus/pci lib/eal/linux/include \
		drivers/bus/pci/linux lib/pci; do
		for h in "$d/src/tree/$dir"/*.h; do
			[ -e "/usr/include/dpdk/$(basename "$h")" ] || cp "$h" "$d/include/"
		done
	done
	cp "$d/src/tree/VERSION" "$d/VERSION"
	# The unpacked tree stays for reading (src/tree); the archives go.
	rm -f "$d/src"/*.tar.* "$d/src"/*.dsc
	touch "$d/.complete"
}

# The upstream release, year.month, of a Debian version: 24.11.8-1 -> 24.11.
release_of() { echo "$1" | sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)\..*/\1/p'; }

sdk_ver=$dpdk_ver
if ! sdk_fetch "$dpdk_ver"; then
	sdk_ver=""
	for v in $(APT_CONFIG="$CACHE/apt/apt.conf" apt-cache showsrc dpdk 2>/dev/null |
		sed -n 's/^Version: //p' | sort -urV); do
		[ "$v" = "$dpdk_ver" ] && continue
		sdk_fetch "$v" && sdk_ver=$v && break
	done
	[ -n "$sdk_ver" ] || die "no DPDK source package can be fetched (dpdk=$dpdk_ver wanted; deb-src lines: $CACHE/apt/etc/sources.list)"
fi
sdk="$CACHE/sdk/dpdk-$sdk_ver"
for h in bus_driver.h dev_driver.h bus_pci_driver.h ethdev_driver.h ethdev_pci.h; do
	[ -f "$sdk/include/$h" ] || die "driver SDK header $h missing from $sdk/include"
done
ln -sfn "$sdk" "$CACHE/sdk/current"
if [ "$sdk_ver" = "$dpdk_ver" ]; then
	log "DPDK $dpdk_ver, SDK headers in $sdk/include"
else
	log "DPDK $dpdk_ver is installed but only DPDK $sdk_ver's source package could be fetched: SDK headers of DPDK $(release_of "$sdk_ver") in $sdk/include"
	log "the build checks them: sriov_pci_bus.c asserts every size and member offset the sriov bus uses for DPDK $(release_of "$dpdk_ver") and stops on a difference"
fi
if [ "$sdk_only" = 1 ]; then
	echo "$sdk/include"
	exit 0
fi

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
	[ "$sdk_ver" = "$dpdk_ver" ] ||
		log "the sriov bus's layout assertions passed: DPDK $(release_of "$sdk_ver")'s SDK headers agree with DPDK $(release_of "$dpdk_ver") on every structure the bus uses"
fi
