#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The tree on the DPDK releases of newer Debian (doc/guides/dpdk_releases.rst):
# Debian 13 (trixie) ships DPDK 24.11, Debian 14 (forky) 25.11; their
# binaries need a newer glibc than this host's, so they run in a chroot.
#
#   devtools/chroot.sh [--make|--build|--test] [SUITE...]
#
#   --make   make (or check) the chroot of each SUITE (default trixie forky):
#            debootstrap minbase, apt pointed at the same mirror, the tree's
#            build dependencies of that release; cached under
#            $VFTOKEN_CACHE/chroots/SUITE, one stamp per step (a re-run
#            takes seconds).
#   --build  also build the tree in it against that release's DPDK, into
#            build/dpdk-<release> of the tree (the tree is bind-mounted at
#            its own path, so the rig's guest, devtools/vm/run.sh --root,
#            finds the build there too).
#   --test   (default) also run the unit suite there and a smoke of the
#            release's stock dpdk-testpmd loading the plugin; counts chroot
#            ready, build, unit, smoke per release and ends with
#            "N passed, N failed" (devtools/test.sh --suite releases).
#
# Environment: VFTOKEN_CACHE (default /var/cache/vftoken; the private apt
# configuration of devtools/setup.sh and the DPDK SDK headers live there),
# VFTOKEN_MIRROR (default http://deb.debian.org/debian).
# Mounts (the tree, the cache, /proc, /dev) live in a private mount
# namespace of this script (unshare -m): none survives it.
# dash, as devtools/test.sh (local is dash's)
# shellcheck shell=dash
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${VFTOKEN_CACHE:-/var/cache/vftoken}
MIRROR=${VFTOKEN_MIRROR:-http://deb.debian.org/debian}
# The driver SDK headers devtools/setup.sh unpacked (22.11's: the only
# DPDK source package this archive serves, doc/guides/dpdk_releases.rst);
# resolved, as sdk/current is a link.
SDK_DIR=$(readlink -f "$CACHE/sdk/current")
SDK=$SDK_DIR/include

log() { printf 'chroot: %s\n' "$*"; }
die() {
	printf 'chroot: error: %s\n' "$*" >&2
	exit 1
}

mode="test"
suites=""
for a in "$@"; do
	case $a in
	--make) mode="make" ;;
	--build) mode="build" ;;
	--test) mode="test" ;;
	-h | --help)
		sed -n '4,29p' "$0"
		exit 0
		;;
	-*) die "unknown option '$a' (expected --make, --build or --test)" ;;
	trixie | forky) suites="$suites $a" ;;
	*) die "unknown suite '$a' (expected trixie or forky)" ;;
	esac
done
[ -n "$suites" ] || suites="trixie forky"
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"

# Everything below runs in a mount namespace of its own.
if [ -z "${VFTOKEN_CHROOT_NS:-}" ]; then
	VFTOKEN_CHROOT_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

# One run at a time (devtools/test.sh's releases suite and the rig's
# run.sh --dpdk may both call it).
mkdir -p "$CACHE/chroots" || die "cannot create $CACHE/chroots"
exec 9>"$CACHE/chroots/.lock" || die "cannot open $CACHE/chroots/.lock"
if ! flock -n 9; then
	log "waiting for $CACHE/chroots/.lock (another chroot.sh runs)"
	flock 9
fi

# build_dir SUITE: the tree's build for that suite's DPDK release
build_dir() { echo "$ROOT/build/dpdk-$(release_of "$1")"; }

# The DPDK release of each suite (Debian's package versions, ARCHITECTURE.md §8).
release_of() {
	case $1 in
	trixie) echo 24.11 ;;
	forky) echo 25.11 ;;
	esac
}

now() { date +%s; }
# step NAME SECONDS-EXPECTED: a progress line for a step that takes time
T0=$(now)
step() { log "[$suite] $1 (about $2) ..."; }
took() { log "[$suite] $1 done ($(($(now) - $2)) s)"; }

# ---- debootstrap, unpacked in the cache (not installed) -----------------------
# bookworm's 1.0.128 does not know forky; 1.0.141 from bookworm-backports
# does. It comes through the private apt configuration (devtools/setup.sh)
# and runs from the cache with DEBOOTSTRAP_DIR.
DBS=$CACHE/tools/debootstrap
get_debootstrap() {
	[ -f "$DBS/.complete" ] && return 0
	[ -r "$CACHE/apt/apt.conf" ] || die "no $CACHE/apt/apt.conf: run devtools/setup.sh first"
	log "fetching debootstrap from bookworm-backports (private apt configuration)"
	{ rm -rf "$DBS" && mkdir -p "$DBS/deb"; } || die "cannot create $DBS"
	(cd "$DBS/deb" && APT_CONFIG=$CACHE/apt/apt.conf \
		apt-get download -qq -o APT::Sandbox::User=root debootstrap/bookworm-backports) ||
		die "apt-get download debootstrap/bookworm-backports failed (private lists stale? devtools/setup.sh refreshes them)"
	dpkg-deb -x "$DBS"/deb/debootstrap_*.deb "$DBS/x" || die "cannot unpack debootstrap"
	touch "$DBS/.complete"
}
debootstrap() {
	DEBOOTSTRAP_DIR=$DBS/x/usr/share/debootstrap "$DBS/x/usr/sbin/debootstrap" "$@"
}

# The build dependencies (devtools/setup.sh's APT_PKGS, the compiler and
# DPDK part; groff-base and man-db for the man page test), and what the
# rig's guest runs in a chroot root (kmod, iproute2, procps, pciutils,
# python3). The packages stamp holds this list: a change installs again.
CHROOT_PKGS="build-essential pkg-config meson ninja-build python3-pyelftools
libnuma-dev dpdk dpdk-dev libdpdk-dev uuid-dev libcmocka-dev libjansson-dev
groff-base man-db kmod iproute2 procps pciutils python3 jq file util-linux"
# shellcheck disable=SC2086,SC2116 # one line, single spaces
PKGS_LINE=$(echo $CHROOT_PKGS)

# make_chroot SUITE: debootstrap, apt, packages; a stamp per step
make_chroot() {
	local d="$CACHE/chroots/$1" st="$CACHE/chroots/.$1" t
	mkdir -p "$CACHE/chroots" || return 1
	if [ ! -f "$st.bootstrap" ]; then
		get_debootstrap
		# a half-made chroot of an interrupted run; never through a mount
		rm -rf --one-file-system "$d" "$st".*
		step "debootstrap --variant=minbase $1 into $d" "2.5-3.5 min"
		t=$(now)
		debootstrap --variant=minbase "$1" "$d" "$MIRROR" >"$d.debootstrap.log" 2>&1 || {
			tail -20 "$d.debootstrap.log"
			log "[$1] debootstrap failed (log: $d.debootstrap.log)"
			return 1
		}
		touch "$st.bootstrap"
		took debootstrap "$t"
	fi
	if [ ! -f "$st.apt" ]; then
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $1 main" \
			>"$d/etc/apt/sources.list" || return 1
		rm -f "$d/etc/apt/sources.list.d/"*
		# forky's Release file here is past its Valid-Until
		# (ARCHITECTURE.md §8): a testing suite's archive is re-signed
		# weekly, a mirror can lag.
		printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
			>"$d/etc/apt/apt.conf.d/90vftoken"
		touch "$st.apt"
	fi
	if [ "$(cat "$st.packages" 2>/dev/null)" != "$PKGS_LINE" ]; then
		step "apt-get install of the build dependencies" "2-4 min"
		t=$(now)
		mount_base "$d" || return 1
		chroot "$d" sh -c "export DEBIAN_FRONTEND=noninteractive
			apt-get update -qq && apt-get install -y -qq $PKGS_LINE && apt-get clean" \
			>"$d.packages.log" 2>&1 || {
			tail -20 "$d.packages.log"
			log "[$1] apt-get install failed (log: $d.packages.log)"
			return 1
		}
		echo "$PKGS_LINE" >"$st.packages"
		took "build dependencies" "$t"
	fi
	local v
	# shellcheck disable=SC2016 # dpkg-query's format
	v=$(chroot "$d" dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null)
	case $v in
	"$(release_of "$1")".*) log "[$1] ready: $d, DPDK $v" ;;
	*)
		log "[$1] libdpdk-dev is '$v' in $d, expected $(release_of "$1").*"
		return 1
		;;
	esac
}

# Mounts inside the chroot $1 (this namespace only): /proc, /sys, /dev, the tree
# and the cache at their own paths. Idempotent.
mount_base() {
	local d=$1 p
	mountpoint -q "$d/proc" || mount -t proc proc "$d/proc" || return 1
	mountpoint -q "$d/sys" || mount --rbind /sys "$d/sys" || return 1
	mountpoint -q "$d/dev" || mount --rbind /dev "$d/dev" || return 1
	[ -d "$SDK" ] || {
		log "no DPDK SDK headers in $CACHE/sdk/current/include: run devtools/setup.sh first"
		return 1
	}
	for p in "$ROOT" "$SDK_DIR"; do
		mkdir -p "$d$p" || return 1
		mountpoint -q "$d$p" || mount --bind "$p" "$d$p" || return 1
	done
}

# in_chroot SUITE CMD: a shell command in the chroot, in the tree
in_chroot() {
	chroot "$CACHE/chroots/$1" sh -c "cd '$ROOT' && $2"
}

# build SUITE: meson setup + ninja into build/dpdk-<release>
build_tree() {
	local b t
	b=$(build_dir "$1")
	mount_base "$CACHE/chroots/$1" || return 1
	step "build into $b" "1-3 min"
	t=$(now)
	mkdir -p "$b" || return 1
	in_chroot "$1" "if [ -f '$b/build.ninja' ]; then meson configure '$b' -Ddpdk_sdk='$SDK';
		else meson setup '$b' -Ddpdk_sdk='$SDK'; fi &&
		ninja -C '$b'" >"$b.log" 2>&1 || {
		tail -30 "$b.log"
		log "[$1] build failed (log: $b.log)"
		return 1
	}
	took build "$t"
}

unit_tests() {
	local b t
	b=$(build_dir "$1")
	step "meson test --suite unit" "1 min"
	t=$(now)
	in_chroot "$1" "meson test -C '$b' --suite unit --no-rebuild --print-errorlogs" \
		>"$b.unit.log" 2>&1
	rc=$?
	grep -E '^(Ok|Fail|Expected Fail|Unexpected Pass|Skipped|Timeout):' "$b.unit.log" | sed "s/^/  [$1] /"
	[ "$rc" = 0 ] || {
		tail -30 "$b.unit.log"
		log "[$1] unit suite failed (log: $b.unit.log)"
		return 1
	}
	took "unit suite" "$t"
}

# The release's stock dpdk-testpmd loads the plugin (-d) and forwards for
# 3 s between two net_null ports (--tx-first; testpmd stops at the newline
# on its stdin, sent 3 s after it says "Press enter to exit", its output
# line-buffered so that the line shows when printed): EAL loads
# the plugin and its bus registers (EAL's own lines at lib.eal:debug,
# "open shared lib" and "Registered [sriov] bus."), packets go through,
# testpmd exits 0.
smoke() {
	local b so rx
	b=$(build_dir "$1")
	so=$b/drivers/bus/sriov/librte_bus_sriov.so
	[ -r "$so" ] || {
		log "[$1] no plugin $so"
		return 1
	}
	# EAL refuses a plugin under a world-writable directory (a tree under
	# /tmp, say): load a copy in the chroot's /run.
	mkdir -p "$CACHE/chroots/$1/run/vftoken-smoke" &&
		cp "$so" "$CACHE/chroots/$1/run/vftoken-smoke/" || return 1
	so=/run/vftoken-smoke/${so##*/}
	rm -f "$b.smoke.log"
	in_chroot "$1" "{ i=0; while [ \$i -lt 600 ] && ! grep -qs 'Press enter to exit' '$b.smoke.log'; do
			sleep 0.1; i=\$((i + 1)); done; sleep 3; echo; } |
		timeout 120 stdbuf -oL -eL dpdk-testpmd -d '$so' --no-huge -m 256 --no-pci \
		--vdev net_null0 --vdev net_null1 -l 0,1 --log-level=lib.eal:debug \
		--log-level=bus.sriov:debug --file-prefix vftoken-smoke-$1 \
		-- --no-mlockall --total-num-mbufs=2048 --tx-first" >"$b.smoke.log" 2>&1
	rc=$?
	rx=$(awk '/Accumulated forward statistics/ { a = 1 } a && $1 == "RX-packets:" { print $2; exit }' "$b.smoke.log")
	if [ "$rc" = 0 ] && grep -q 'Registered \[sriov\] bus' "$b.smoke.log" &&
		[ "${rx:-0}" -gt 0 ] && grep -q '^Bye' "$b.smoke.log"; then
		log "[$1] smoke: $(grep -m1 'Registered \[sriov\] bus' "$b.smoke.log"), $rx packets forwarded in 3 s"
		return 0
	fi
	tail -20 "$b.smoke.log"
	log "[$1] smoke failed (status $rc, RX ${rx:-none}; log: $b.smoke.log)"
	return 1
}

# refused SUITE: the installed plugin under a DPDK release it does not know
# (an LD_PRELOAD shim makes rte_version_year()/month() say 23.11): the bus
# stays idle with one line and testpmd starts and forwards as without it,
# which is what a point release with other layouts would see
# (doc/guides/install.rst): never a failed rte_eal_init.
refused() {
	local b so d rx
	b=$(build_dir "$1")
	d=$CACHE/chroots/$1/run/vftoken-smoke
	so=/run/vftoken-smoke/librte_bus_sriov.so
	[ -r "$CACHE/chroots/$1$so" ] || return 1
	printf '%s\n' 'unsigned int rte_version_year(void) { return 23; }' \
		'unsigned int rte_version_month(void) { return 11; }' >"$d/fakever.c"
	in_chroot "$1" "cc -shared -fPIC -o /run/vftoken-smoke/fakever.so /run/vftoken-smoke/fakever.c" || return 1
	in_chroot "$1" "{ i=0; while [ \$i -lt 600 ] && ! grep -qs 'Press enter to exit' '$b.refused.log'; do
			sleep 0.1; i=\$((i + 1)); done; sleep 2; echo; } |
		LD_PRELOAD=/run/vftoken-smoke/fakever.so timeout 120 stdbuf -oL -eL dpdk-testpmd \
		-d '$so' --no-huge -m 256 --no-pci --vdev net_null0 --vdev net_null1 -l 0,1 \
		--file-prefix vftoken-refused-$1 -- --no-mlockall --total-num-mbufs=2048 --tx-first" \
		>"$b.refused.log" 2>&1
	rc=$?
	rx=$(awk '/Accumulated forward statistics/ { a = 1 } a && $1 == "RX-packets:" { print $2; exit }' "$b.refused.log")
	if [ "$rc" = 0 ] && [ "${rx:-0}" -gt 0 ] &&
		[ "$(grep -c 'sriov: DPDK 23.11 is running: the sriov bus supports' "$b.refused.log")" = 1 ]; then
		log "[$1] refused: $(grep -m1 'sriov: DPDK 23.11 is running' "$b.refused.log"); testpmd forwarded $rx packets"
		return 0
	fi
	tail -20 "$b.refused.log"
	log "[$1] refused: failed (status $rc, RX ${rx:-none}; log: $b.refused.log)"
	return 1
}

# check WHAT CMD...: one PASS/FAIL line and the tally
# shellcheck source=lib/check.sh
. "$ROOT/devtools/lib/check.sh"

for suite in $suites; do
	rel=$(release_of "$suite")
	if ! check "$suite: chroot ready (DPDK $rel)" make_chroot "$suite"; then
		[ "$mode" = test ] && fail=$((fail + 4))
		continue
	fi
	[ "$mode" = make ] && continue
	if ! check "$suite: build against DPDK $rel" build_tree "$suite"; then
		[ "$mode" = test ] && fail=$((fail + 3))
		continue
	fi
	[ "$mode" = build ] && continue
	check "$suite: unit suite on DPDK $rel" unit_tests "$suite"
	check "$suite: stock dpdk-testpmd $rel loads the plugin" smoke "$suite"
	check "$suite: a release the plugin does not know (faked 23.11): the bus idle with one line, testpmd runs on" \
		refused "$suite"
done
log "took $(($(now) - T0)) s"
check_done
