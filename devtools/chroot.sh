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
#   --test   (default) also run the unit suite there, a smoke of the
#            release's stock dpdk-testpmd loading the plugin and the check
#            that a release the plugin does not know leaves its bus idle;
#            for trixie, also build the Debian packages in the chroot,
#            lintian them, and install them into a throw-away overlay of
#            the chroot, where stock testpmd auto-loads the plugin from
#            that release's PMD directory. Counts each and ends with
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

# The suites and their DPDK releases (release_of SUITE, dpdk_suites)
# shellcheck source=lib/dpdk-releases.sh
. "$ROOT/devtools/lib/dpdk-releases.sh"

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
		sed -n '4,33p' "$0"
		exit 0
		;;
	-*) die "unknown option '$a' (expected --make, --build or --test)" ;;
	*)
		release_of "$a" >/dev/null || die "unknown suite '$a' (expected one of: $(dpdk_suites))"
		suites="$suites $a"
		;;
	esac
done
[ -n "$suites" ] || suites=$(dpdk_suites)
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
# chroot_install SUITE PACKAGES STAMP LOG WHAT ETA: apt-get install
# PACKAGES in the chroot of SUITE unless STAMP says they are (its content is
# the list); the output to SUITE.LOG in the cache.
chroot_install() {
	local d="$CACHE/chroots/$1" t
	[ "$(cat "$3" 2>/dev/null)" = "$2" ] && return 0
	step "apt-get install of the $5" "$6"
	t=$(now)
	mount_base "$d" || return 1
	chroot "$d" sh -c "export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq $2 && apt-get clean" \
		>"$d.$4.log" 2>&1 || {
		tail -20 "$d.$4.log"
		log "[$1] apt-get install failed (log: $d.$4.log)"
		return 1
	}
	echo "$2" >"$3"
	took "$5" "$t"
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
	chroot_install "$1" "$PKGS_LINE" "$st.packages" packages \
		"build dependencies" "2-4 min" || return 1
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

# null_fwd SUITE NAME SECS PRELOAD EAL-ARGS: the chroot's stock testpmd with
# the plugin's copy in /run/vftoken-smoke (and LD_PRELOAD=PRELOAD when
# given) forwarding between two net_null ports (--tx-first) until a newline
# on its stdin SECS s after it says "Press enter to exit"; its output
# line-buffered in build_dir.NAME.log; rc its status, rx its RX-packets.
null_fwd() {
	local out
	out=$(build_dir "$1").$2.log
	rm -f "$out"
	in_chroot "$1" "{ i=0; while [ \$i -lt 600 ] && ! grep -qs 'Press enter to exit' '$out'; do
			sleep 0.1; i=\$((i + 1)); done; sleep $3; echo; } |
		${4:+LD_PRELOAD=$4 }timeout 120 stdbuf -oL -eL dpdk-testpmd \
		-d /run/vftoken-smoke/librte_bus_sriov.so --no-huge -m 256 --no-pci \
		--vdev net_null0 --vdev net_null1 -l 0,1 $5 --file-prefix vftoken-$2-$1 \
		-- --no-mlockall --total-num-mbufs=2048 --tx-first" >"$out" 2>&1
	rc=$?
	rx=$(awk '/Accumulated forward statistics/ { a = 1 } a && $1 == "RX-packets:" { print $2; exit }' "$out")
}

# The release's stock dpdk-testpmd loads the plugin (-d) and forwards for
# 3 s (null_fwd): EAL loads the plugin and its bus registers (EAL's own
# lines at lib.eal:debug, "open shared lib" and "Registered [sriov]
# bus."), packets go through, testpmd exits 0.
smoke() {
	local b so
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
	null_fwd "$1" smoke 3 "" "--log-level=lib.eal:debug --log-level=bus.sriov:debug"
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
	local b d
	b=$(build_dir "$1")
	d=$CACHE/chroots/$1/run/vftoken-smoke
	[ -r "$d/librte_bus_sriov.so" ] || return 1
	printf '%s\n' 'unsigned int rte_version_year(void) { return 23; }' \
		'unsigned int rte_version_month(void) { return 11; }' >"$d/fakever.c"
	in_chroot "$1" "cc -shared -fPIC -o /run/vftoken-smoke/fakever.so /run/vftoken-smoke/fakever.c" || return 1
	null_fwd "$1" refused 2 /run/vftoken-smoke/fakever.so ""
	if [ "$rc" = 0 ] && [ "${rx:-0}" -gt 0 ] &&
		[ "$(grep -c 'sriov: DPDK 23.11 is running: the sriov bus supports' "$b.refused.log")" = 1 ]; then
		log "[$1] refused: $(grep -m1 'sriov: DPDK 23.11 is running' "$b.refused.log"); testpmd forwarded $rx packets"
		return 0
	fi
	tail -20 "$b.refused.log"
	log "[$1] refused: failed (status $rc, RX ${rx:-none}; log: $b.refused.log)"
	return 1
}

# ---- the Debian packages of that release (trixie) ----------------------------
# The packaging tools, in the chroot once (their own stamp: the build
# dependencies' list stays as it is for the rig's guests).
PKG_TOOLS="debhelper lintian dpkg-dev fakeroot"
PKGS="vftoken libvftoken0 libvftoken-dev dpdk-bus-sriov"
MA=x86_64-linux-gnu

pkg_dir() { echo "$(build_dir "$1")/pkg"; }

pkg_tools() {
	chroot_install "$1" "$PKG_TOOLS" "$CACHE/chroots/.$1.pkgtools" pkgtools \
		"packaging tools ($PKG_TOOLS)" "1-2 min"
}

# pkg_build SUITE: dpkg-buildpackage -us -uc -b in the chroot, from a copy
# of the tree (tracked and new files, no build directories, as
# devtools/packages.sh does on the host) in build/dpdk-<release>/pkg/src;
# the .deb files in .../pkg/debs.
pkg_build() {
	local p src t ver
	p=$(pkg_dir "$1")
	ver=$(cat "$ROOT/VERSION")
	src=$p/src/vftoken-$ver
	rm -rf "$p/src" "$p/debs" && mkdir -p "$src" "$p/debs" || return 1
	(cd "$ROOT" && git ls-files -co --exclude-standard | grep -v '^build' |
		tar -cf - -T -) | tar -xf - -C "$src" || return 1
	step "dpkg-buildpackage -us -uc -b" "1-2 min"
	t=$(now)
	in_chroot "$1" "cd '$src' && VFTOKEN_DPDK_SDK='$SDK' dpkg-buildpackage -us -uc -b" \
		>"$p/build.log" 2>&1 || {
		tail -30 "$p/build.log"
		log "[$1] dpkg-buildpackage failed (log: $p/build.log)"
		return 1
	}
	grep -h '^debian/rules: ' "$p/build.log" | sed "s/^/  [$1] /"
	mv "$p/src"/*.deb "$p/src"/*.changes "$p/src"/*.buildinfo "$p/debs/" || return 1
	for ver in $PKGS; do
		ls "$p/debs/${ver}_"*"_amd64.deb" >/dev/null 2>&1 || {
			log "[$1] no .deb of $ver in $p/debs"
			return 1
		}
	done
	took "dpkg-buildpackage" "$t"
}

# pkg_lintian SUITE: that release's lintian, as the host's packages suite
# runs it (-I --pedantic): no error and no warning.
pkg_lintian() {
	local p
	p=$(pkg_dir "$1")
	in_chroot "$1" "lintian -I --pedantic --tag-display-limit 0 '$p'/debs/*.changes" \
		>"$p/lintian.txt" 2>&1
	sed "s/^/  [$1] | /" "$p/lintian.txt"
	! grep -Eq '^[EW]: ' "$p/lintian.txt"
}

# pkg_depends SUITE: dpdk-bus-sriov depends on the packages that hold
# that release's librte_eal, librte_bus_pci and librte_ethdev (their ABI in
# the name) at >= the release, with no upper bound (debian/dpdk-abi-depends).
pkg_depends() {
	local p dep lib pkg
	p=$(pkg_dir "$1")
	dep=$(dpkg-deb -f "$p"/debs/dpdk-bus-sriov_*.deb Depends) || return 1
	log "[$1] dpdk-bus-sriov Depends: $dep"
	for lib in librte_eal librte_bus_pci librte_ethdev; do
		pkg=$(in_chroot "$1" "dpkg-query -S \"\$(readlink -f /usr/lib/$MA/$lib.so)\"" |
			sed -n '1s/:.*//p')
		echo "$dep" | grep -qF "$pkg (>= $(release_of "$1"))" || {
			log "[$1] no '$pkg (>= $(release_of "$1"))' in it ($lib.so's package)"
			return 1
		}
	done
	! echo "$dep" | grep -q '(<<'
}

# in_overlay SUITE CMD: CMD in a throw-away copy of the chroot (an overlay
# whose upper layer is $OVL/upper, removed after the checks), so that
# installing the packages never changes the cached chroot the rig boots.
OVL=""
in_overlay() {
	chroot "$OVL/root" sh -c "cd / && $2"
}

overlay_up() {
	OVL=$(mktemp -d /tmp/vftoken-chroot-pkg.XXXXXX) || return 1
	mkdir -p "$OVL/upper" "$OVL/work" "$OVL/root" &&
		mount -t overlay overlay \
			-o "lowerdir=$CACHE/chroots/$1,upperdir=$OVL/upper,workdir=$OVL/work" \
			"$OVL/root" && mount_base "$OVL/root"
}

overlay_down() {
	[ -n "$OVL" ] || return 0
	umount -R "$OVL/root" 2>/dev/null
	rm -rf --one-file-system "$OVL"
	OVL=""
}

# pkg_install SUITE: dpkg -i of the 4 packages in the overlay
pkg_install() {
	local p
	p=$(pkg_dir "$1")
	overlay_up "$1" || return 1
	in_overlay "$1" "rm -f /var/lib/man-db/auto-update; dpkg -i $(for x in $PKGS; do
		printf "'%s' " "$p/debs/${x}_"*"_amd64.deb"; done)" >"$p/install.log" 2>&1 || {
		tail -20 "$p/install.log"
		return 1
	}
}

# pkg_pmd_link SUITE: dpdk-bus-sriov's link is in the PMD directory that
# release's librte_eal loads (its DPDK_PLUGIN_PATH tag, read by
# devtools/dpdk-pmd-dir.py in the chroot: pmds-25.0 for 24.11) and names
# the installed plugin.
pkg_pmd_link() {
	local pmd link
	pmd=$(in_overlay "$1" "python3 '$ROOT/devtools/dpdk-pmd-dir.py' /usr/lib/$MA/librte_eal.so") ||
		return 1
	link=$(in_overlay "$1" "dpkg -L dpdk-bus-sriov | grep '/dpdk/pmds-[^/]*/librte_bus_sriov\.so$'")
	log "[$1] DPDK $(release_of "$1")'s PMD directory: $pmd; dpdk-bus-sriov's link: $link -> $(in_overlay "$1" "readlink '$link'")"
	[ "$link" = "$pmd/librte_bus_sriov.so" ] &&
		[ "$(in_overlay "$1" "readlink -f '$link'")" = "/usr/lib/$MA/vftoken/dpdk-plugins/librte_bus_sriov.so" ] &&
		in_overlay "$1" "test -f /usr/lib/$MA/vftoken/dpdk-plugins/librte_bus_sriov.so"
}

# pkg_autoload SUITE: the release's stock dpdk-testpmd, no -d, loads the
# installed plugin from the PMD directory (EAL's "open shared lib" line at
# lib.eal:debug) and its bus registers; testpmd forwards between two
# net_null ports and exits 0 (as smoke, which loads it with -d).
pkg_autoload() {
	local p rx
	p=$(pkg_dir "$1")
	rm -f "$p/autoload.log"
	in_overlay "$1" "{ i=0; while [ \$i -lt 600 ] && ! grep -qs 'Press enter to exit' '$p/autoload.log'; do
			sleep 0.1; i=\$((i + 1)); done; sleep 2; echo; } |
		timeout 120 stdbuf -oL -eL dpdk-testpmd --no-huge -m 256 --no-pci \
		--vdev net_null0 --vdev net_null1 -l 0,1 --log-level=lib.eal:debug \
		--file-prefix vftoken-pkg-$1 -- --no-mlockall --total-num-mbufs=2048 --tx-first" \
		>"$p/autoload.log" 2>&1
	rc=$?
	rx=$(awk '/Accumulated forward statistics/ { a = 1 } a && $1 == "RX-packets:" { print $2; exit }' "$p/autoload.log")
	grep -E 'open shared lib .*librte_bus_sriov|Registered \[sriov\] bus' "$p/autoload.log" | sed "s/^/  [$1] | /"
	if [ "$rc" = 0 ] && [ "${rx:-0}" -gt 0 ] &&
		grep -Eq "open shared lib .*/dpdk/pmds-[^/]*/librte_bus_sriov\.so" "$p/autoload.log" &&
		[ "$(grep -c 'Registered \[sriov\] bus' "$p/autoload.log")" = 1 ]; then
		return 0
	fi
	tail -20 "$p/autoload.log"
	log "[$1] auto-load failed (status $rc, RX ${rx:-none}; log: $p/autoload.log)"
	return 1
}

# pkg_purge SUITE: dpkg -P removes the packages and the link
pkg_purge() {
	local p
	p=$(pkg_dir "$1")
	in_overlay "$1" "dpkg -P $PKGS" >"$p/purge.log" 2>&1 || {
		tail -20 "$p/purge.log"
		return 1
	}
	! in_overlay "$1" "ls /usr/lib/$MA/dpdk/pmds-*/librte_bus_sriov.so /usr/lib/$MA/vftoken" 2>/dev/null
}

# packages SUITE: the checks above, counted (PKG_CHECKS of them)
PKG_CHECKS=8
packages() {
	local s=$1 rel t
	rel=$(release_of "$s")
	t=$(now)
	if ! check "$s: packaging tools in the chroot ($PKG_TOOLS)" pkg_tools "$s"; then
		fail=$((fail + PKG_CHECKS - 1))
		return
	fi
	if ! check "$s: dpkg-buildpackage builds the 4 packages against DPDK $rel" pkg_build "$s"; then
		fail=$((fail + PKG_CHECKS - 2))
		return
	fi
	check "$s: lintian $(in_chroot "$s" "dpkg-query -W -f='\${Version}' lintian"): no errors, no warnings" \
		pkg_lintian "$s"
	check "$s: the plugin depends on DPDK $rel's ABI packages, no upper bound" pkg_depends "$s"
	if check "$s: dpkg -i the 4 packages (a throw-away overlay of the chroot)" pkg_install "$s"; then
		check "$s: the plugin's link is in DPDK $rel's PMD directory" pkg_pmd_link "$s"
		check "$s: stock dpdk-testpmd $rel, no -d, auto-loads the installed plugin" pkg_autoload "$s"
		check "$s: dpkg -P removes the packages and the link" pkg_purge "$s"
	else
		fail=$((fail + 3))
	fi
	overlay_down
	took "packages" "$t"
}
trap overlay_down EXIT
# pkg_checks_of SUITE: the package checks that suite runs (Debian 13 only)
pkg_checks_of() {
	case $1 in
	trixie) echo $PKG_CHECKS ;;
	*) echo 0 ;;
	esac
}

# check WHAT CMD...: one PASS/FAIL line and the tally
# shellcheck source=lib/check.sh
. "$ROOT/devtools/lib/check.sh"

for suite in $suites; do
	rel=$(release_of "$suite")
	if ! check "$suite: chroot ready (DPDK $rel)" make_chroot "$suite"; then
		[ "$mode" = test ] && fail=$((fail + 4 + $(pkg_checks_of "$suite")))
		continue
	fi
	[ "$mode" = make ] && continue
	if ! check "$suite: build against DPDK $rel" build_tree "$suite"; then
		[ "$mode" = test ] && fail=$((fail + 3 + $(pkg_checks_of "$suite")))
		continue
	fi
	[ "$mode" = build ] && continue
	check "$suite: unit suite on DPDK $rel" unit_tests "$suite"
	check "$suite: stock dpdk-testpmd $rel loads the plugin" smoke "$suite"
	check "$suite: a release the plugin does not know (faked 23.11): the bus idle with one line, testpmd runs on" \
		refused "$suite"
	# The Debian packages, for Debian 13 (the stable release)
	[ "$(pkg_checks_of "$suite")" = 0 ] || packages "$suite"
done
log "took $(($(now) - T0)) s"
check_done
