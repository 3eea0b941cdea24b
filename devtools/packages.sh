#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The packages suite (devtools/test.sh --suite packages): build the Debian
# packages from the tree, lintian, install and remove them on this machine,
# then the VM scenario devtools/vm/scenarios/packages.sh with the packages
# installed inside the guest. Ends with "N passed, N failed".
#
#   devtools/packages.sh [--no-vm] [--keep]
#
# --no-vm skips the VM scenario (said, not counted); --keep leaves the
# built .deb files in $VFTOKEN_BUILD/pkg (they stay anyway; the flag only
# documents it). Environment: VFTOKEN_BUILD (default build/),
# VFTOKEN_DPDK_SDK (the driver SDK headers, see debian/rules),
# VFTOKEN_NO_VM=1 as --no-vm.
#
# The host install must never be seen by another DPDK process: a plugin in
# DPDK's PMD directory is loaded by every dpdk-testpmd, and the VM guests
# read the host's root. The install-check-remove step therefore runs under
# the VM rig's lock (no guest boots meanwhile), takes seconds, and a trap
# removes the packages on any exit.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
PKG=$BUILD/pkg
LOCK=/tmp/vftoken-vm.lock
PKGS="vftoken libvftoken0 libvftoken-dev dpdk-bus-sriov"
novm=${VFTOKEN_NO_VM:-0}
# debian/rules takes the SDK headers from here (devtools/setup.sh's cache)
export VFTOKEN_DPDK_SDK=${VFTOKEN_DPDK_SDK:-${VFTOKEN_CACHE:-/var/cache/vftoken}/sdk/current/include}
for a in "$@"; do
	case "$a" in
	--no-vm) novm=1 ;;
	--keep) ;;
	-h | --help) sed -n '3,16p' "$0"; exit 0 ;;
	*) echo "packages.sh: unknown argument '$a' (expected --no-vm or --keep)" >&2; exit 2 ;;
	esac
done

# check WHAT CMD...: one PASS/FAIL line and the tally
# shellcheck source=lib/check.sh
. "$ROOT/devtools/lib/check.sh"
note() { echo "  $*"; }
log() { echo "packages: $*"; }
finish() { check_done; }
now() { date +%s.%N; }
secs() { printf '%.1f' "$(echo "$(now) - $1" | bc -l)"; }

[ "$(id -u)" = 0 ] || { echo "packages.sh: run as root (dpkg -i on this machine)" >&2; exit 2; }
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
PMD_DIR=$(python3 "$ROOT/devtools/dpdk-pmd-dir.py" "/usr/lib/$MA/librte_eal.so") || exit 1
VERSION=$(cat "$ROOT/VERSION")

# ---- tools (bookworm's own packages) -----------------------------------------
tools() {
	local p missing=""
	for p in debhelper lintian fakeroot dpkg-dev bc; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing:$missing (about a minute)"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >"$PKG/apt.log" 2>&1 || { tail -n 20 "$PKG/apt.log"; return 1; }
}

# ---- build -------------------------------------------------------------------
# A copy of the tree (tracked and new files, no build dirs) in
# $PKG/src/vftoken-VERSION: dpkg-buildpackage writes its results next to
# the source directory, and the checkout stays untouched.
build() {
	local src=$PKG/src/vftoken-$VERSION t0
	# no .deb of an earlier build may pass for this one's
	rm -rf "$PKG/src" "$PKG/debs" && mkdir -p "$src" || return 1
	(cd "$ROOT" && git ls-files -co --exclude-standard | grep -v '^build' |
		tar -cf - -T -) | tar -xf - -C "$src" || return 1
	log "dpkg-buildpackage -us -uc -b (about a minute)"
	t0=$(now)
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$PKG/build.log" 2>&1 || {
		tail -n 30 "$PKG/build.log"
		return 1
	}
	BUILD_SECS=$(secs "$t0")
	note "built in $BUILD_SECS s (log $PKG/build.log)"
	mkdir -p "$PKG/debs" &&
		mv "$PKG/src"/*.deb "$PKG/src"/*.changes "$PKG/src"/*.buildinfo "$PKG/debs/"
}

debs_built() {
	local p
	for p in $PKGS; do
		[ -f "$PKG/debs/${p}_${VERSION}_$(dpkg --print-architecture).deb" ] ||
			{ note "no .deb for $p"; return 1; }
	done
}

# ---- lintian -----------------------------------------------------------------
lint() {
	lintian -I --pedantic --tag-display-limit 0 "$PKG/debs"/*.changes \
		>"$PKG/lintian.txt" 2>&1
	sed 's/^/  | /' "$PKG/lintian.txt"
}
lint_none() { ! grep -q "^$1: " "$PKG/lintian.txt"; }

# ---- host install and removal --------------------------------------------------
# Directories the packages put files in, listed before install and after
# purge: they must be the same.
pkg_dirs() {
	local d
	for d in "$PKG/debs"/*.deb; do
		case "$d" in *-dbgsym_*) continue ;; esac
		dpkg-deb -c "$d" | awk '{ print $6 }' | sed 's|^\./|/|; s|/[^/]*$||'
	done | sort -u | while read -r d; do [ -d "$d" ] && echo "$d"; done
}
snapshot() {
	local d
	# shellcheck disable=SC2046
	find $(pkg_dirs) /var/lib/dpkg/info -maxdepth 1 \( -type f -o -type l \) 2>/dev/null | sort
}

host_remove() {
	local p present=""
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok \(installed\|half\|unpacked\|config\)' &&
			present="$present $p"
	done
	[ -z "$present" ] && return 0
	# shellcheck disable=SC2086
	dpkg -P $present >>"$PKG/host-remove.log" 2>&1
}

none_installed() {
	local p
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed' && return 1
	done
	return 0
}

host_installed() {
	local p
	for p in $PKGS; do
		[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
			{ note "$p not installed"; return 1; }
	done
}

listed_files_present() {
	local p f n=0
	for p in $PKGS; do
		while read -r f; do
			{ [ -e "$f" ] || [ -L "$f" ]; } || { note "$p: $f missing"; return 1; }
			n=$((n + 1))
		done < <(dpkg -L "$p")
	done
	note "$n paths listed by dpkg -L, all present"
}

# a program built with pkg-config against the installed -dev package runs
# on the shared libvftoken.so.0
dev_links() {
	local d
	d=$(mktemp -d) || return 1
	cat >"$d/t.c" <<'EOF'
#include <stdio.h>
#include <vftoken.h>
int main(void)
{
	struct vft_uuid u;
	char s[VFT_UUID_STR_LEN + 1];

	if (vft_uuid_parse("00112233-4455-6677-8899-aabbccddeeff", &u) != 0)
		return 1;
	vft_uuid_format(&u, s);
	puts(s);
	return 0;
}
EOF
	local rc=1 so
	# shellcheck disable=SC2046
	if ! cc -o "$d/t" "$d/t.c" $(pkg-config --cflags --libs vftoken) >"$d/cc.log" 2>&1; then
		sed 's/^/  | /' "$d/cc.log"
	elif [ "$("$d/t")" != 00112233-4455-6677-8899-aabbccddeeff ]; then
		note "the program printed '$("$d/t" 2>&1)'"
	else
		# /lib is /usr/lib on a merged-/usr system: compare real paths
		so=$(ldd "$d/t" | awk '$1 == "libvftoken.so.0" { print $3 }')
		note "libvftoken.so.0 => $so"
		[ -n "$so" ] && [ "$(readlink -f "$so")" = "/usr/lib/$MA/libvftoken.so.$VERSION" ] && rc=0
	fi
	rm -rf "$d"
	return $rc
}

apt_install() {
	local p files=()
	for p in $PKGS; do
		files+=("$PKG/debs/${p}_${VERSION}_$(dpkg --print-architecture).deb")
	done
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${files[@]}" >"$PKG/host-install.log" 2>&1 ||
		{ tail -n 20 "$PKG/host-install.log"; return 1; }
}

host_test() {
	local before after t0 listed left f
	check "none of the packages installed before the test" none_installed
	before=$(snapshot)
	if ! flock -n 8; then
		log "waiting for $LOCK (a VM is running; none may boot while the plugin is on the host)"
		flock 8
	fi
	trap 'host_remove; exit 130' INT TERM
	trap 'host_remove' EXIT
	t0=$(now)
	check "apt-get install ./*.deb on this machine" apt_install
	check "dpkg: $PKGS installed" host_installed
	check "every path dpkg -L lists is present" listed_files_present
	check "plugin linked into $PMD_DIR" test "$(readlink -f "$PMD_DIR/librte_bus_sriov.so")" = "/usr/lib/$MA/vftoken/dpdk-plugins/librte_bus_sriov.so"
	check "/usr/bin/vftoken --version is $VERSION" test "$(/usr/bin/vftoken --version 2>&1)" = "vftoken $VERSION"
	check "man vftoken-token finds the page" man -w vftoken-token
	check "/usr/sbin/vftokend --version is $VERSION" test "$(/usr/sbin/vftokend --version 2>&1)" = "vftokend $VERSION"
	check "man 8 vftokend finds the page" man -w 8 vftokend
	check "a program built with pkg-config vftoken runs on libvftoken.so.0" dev_links
	listed=$(for p in $PKGS; do dpkg -L "$p"; done | while read -r f; do
		{ [ -d "$f" ] && [ ! -L "$f" ]; } || echo "$f"; done)
	check "dpkg -r, then dpkg -P the packages" eval \
		"dpkg -r $PKGS >'$PKG/host-remove.log' 2>&1 && dpkg -P $PKGS >>'$PKG/host-remove.log' 2>&1"
	HOST_WINDOW=$(secs "$t0")
	trap - INT TERM EXIT
	host_remove
	flock -u 8
	note "the packages were on this machine for $HOST_WINDOW s"
	check "dpkg knows none of the packages any more" none_installed
	left=$(echo "$listed" | while read -r f; do
		[ -n "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; } && echo "$f"; done)
	[ -n "$left" ] && note "left behind: $left"
	check "no file of the packages is left ($(echo "$listed" | wc -l) checked)" test -z "$left"
	after=$(snapshot)
	[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after") | head -n 20 | sed 's/^/  | /'
	check "the packages' directories hold the same files as before" test "$before" = "$after"
}

# ---- VM scenario ---------------------------------------------------------------
vm_test() {
	local out t0 line p f rc
	out=$PKG/vm.log
	t0=$(now)
	log "VM scenario packages (about 4 minutes under TCG)"
	# --all-pmds: the packages against Debian's DPDK as installed, every
	# driver of its PMD directory loaded.
	VFTOKEN_BUILD=$BUILD "$ROOT/devtools/vm/run.sh" --kernel 6.1 --all-pmds packages "$PKG/debs" \
		>"$out" 2>&1
	rc=$?
	grep -E '^ *\| *(PASS|FAIL|  )' "$out" | sed 's/^ *| //' | sed 's/^/  vm: /'
	line=$(grep -E '^ *\| *[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 | sed 's/^ *| *//')
	p=$(echo "$line" | awk '{ print $1 + 0 }')
	f=$(echo "$line" | awk '{ print $3 + 0 }')
	note "VM scenario: ${line:-no tally} in $(secs "$t0") s (log $out)"
	if [ -z "$line" ] || { [ "$rc" != 0 ] && [ "$f" = 0 ]; }; then
		tail -n 30 "$out"
		f=$((f + 1))
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

T0=$(now)
mkdir -p "$PKG" || exit 1
exec 8>"$LOCK" || { echo "packages.sh: cannot open $LOCK" >&2; exit 1; }
check "bookworm's packaging tools installed (debhelper, lintian)" tools
check "dpkg-buildpackage -us -uc -b builds the packages" build
check "the 4 binary packages built ($PKGS)" debs_built
lint
# The plugin depends on DPDK's ABI (the package name), not on the point
# release: apt upgrade keeps it through DPDK's security fixes.
abi_depends() {
	local dep
	dep=$(dpkg-deb -f "$PKG"/debs/dpdk-bus-sriov_*.deb Depends)
	echo "  dpdk-bus-sriov Depends: $dep"
	echo "$dep" | grep -Eq 'librte-eal[0-9.]+ \(>= [0-9]+\.[0-9]+\)' &&
		! echo "$dep" | grep -q 'librte-[a-z-]*[0-9.]* (<<'
}
check "the plugin depends on DPDK's ABI package, with no upper bound on the point release" abi_depends
check "lintian: no errors" lint_none E
check "lintian: no warnings (the info tags kept are in doc/guides/install.rst)" lint_none W
check "the plugin is not on this machine before the host test ($PMD_DIR)" \
	test ! -e "$PMD_DIR/librte_bus_sriov.so" -a ! -L "$PMD_DIR/librte_bus_sriov.so"
host_test
check "the plugin is not on this machine after the host test" \
	test ! -e "$PMD_DIR/librte_bus_sriov.so" -a ! -L "$PMD_DIR/librte_bus_sriov.so"
if [ "$novm" = 1 ]; then
	log "VM scenario skipped (--no-vm): not counted"
else
	vm_test
	check "the plugin is not on this machine after the VM scenario" \
		test ! -e "$PMD_DIR/librte_bus_sriov.so" -a ! -L "$PMD_DIR/librte_bus_sriov.so"
fi
note "package build ${BUILD_SECS:-?} s, suite $(secs "$T0") s"
finish
