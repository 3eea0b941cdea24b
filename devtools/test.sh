#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Run every test vftoken has: set-up (installs and builds), style checks, the
# unit suite, the docs build and the VM suite; the suites without a VM run
# beside the VM ones. Ends with one line "N passed, N failed" over all of
# them and exits non-zero on any failure.
#
#   devtools/test.sh [--no-vm] [--suite NAME]...
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
export VFTOKEN_BUILD="$BUILD"
suites=""
novm=0
while [ $# -gt 0 ]; do
	case "$1" in
	--no-vm) novm=1 ;;
	--suite) shift; suites="$suites $1" ;;
	-h|--help) sed -n '4,10p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$suites" ] || suites="checkpatch unit broker sanitize fuzz docs releases vm packages bench"
[ "$novm" = 1 ] && suites=$(echo "$suites" | sed 's/\bvm\b//; s/\bbench\b//')

TALLY=$(mktemp)
LOWPRIO_IDS=$(mktemp)
# lowprio CMD...: CMD beside the VMs, taking only the CPU they leave: in
# a cpu cgroup with cpu.idle = 1 where the kernel has one, else in a
# session whose autogroup is at nice 19 (devtools/lowprio.sh says why;
# doc/guides/getting_started.rst, "How long a full run takes", what it
# measured). Each such session's id goes to $LOWPRIO_IDS.
. "$ROOT/devtools/lowprio.sh"
lowprio_init
trap 'rm -f "$TALLY" "$LOWPRIO_IDS"; lowprio_done' EXIT
# An interrupted run stops the work it started beside the VMs (lowprio).
stop_lowprio() {
	while read -r sid; do kill -TERM -- "-$sid" 2>/dev/null; done <"$LOWPRIO_IDS"
	exit 130
}
trap stop_lowprio INT TERM
RUN=
# tally NAME PASSED FAILED: one line per suite, with the seconds it took
# since the previous line of its track.
T_START=$(date +%s)
T_LAST=$T_START
tally() {
	now=$(date +%s)
	echo "$1 $2 $3" >>"$TALLY"
	printf 'test.sh: %-12s %s passed, %s failed (%s s)\n' "$1" "$2" "$3" "$((now - T_LAST))"
	T_LAST=$now
}

echo "test.sh: set-up (devtools/setup.sh)"
if ! "$ROOT/devtools/setup.sh"; then
	tally setup 0 1
	echo "0 passed, 1 failed"
	exit 1
fi
T_LAST=$(date +%s)
echo "test.sh: set-up took $((T_LAST - T_START)) s"
case $LOWPRIO_MODE in
idle) echo "test.sh: the background work runs in cpu cgroup $LOWPRIO_CG (cpu.idle = 1)" ;;
*) echo "test.sh: no cpu cgroup with cpu.idle here: the background work runs at autogroup nice 19" ;;
esac

# The rig's own kernel (devtools/vm/build-kernel.sh) is needed only by the
# 7.2-iommufd VM tests, which run after the 6.1 ones. A cold build is about
# 1200 s of CPU: start it now, at the lowest priority (lowprio), so that it
# runs on the CPU the suites before those tests leave idle (a VM keeps about
# 1.2 of the 2 cores busy, doc/guides/getting_started.rst) instead of alone
# afterwards. When
# the kernel is cached this only checks the cache (about 2 s). run.sh calls
# build-kernel.sh again before its VM: that waits on the build's lock.
KBUILD_PID=
case " $suites " in
*" vm "*)
	echo "test.sh: rig kernel 7.2-iommufd: devtools/vm/build-kernel.sh in the background at the lowest priority (log: $BUILD/test-kernel.log)"
	(
		t0=$(date +%s)
		lowprio "$ROOT/devtools/vm/build-kernel.sh" >"$BUILD/test-kernel.log" 2>&1
		rc=$?
		echo "test.sh: rig kernel build finished, status $rc, after $(($(date +%s) - t0)) s" >>"$BUILD/test-kernel.log"
	) &
	KBUILD_PID=$!
	;;
esac

# Count the checks inside each meson test of a suite: cmocka's and our
# scenarios' summary lines where present, else the test's own verdict.
# Its own log base: the unit suite runs while the vm suite does, in the
# same build directory that set-up built (so no rebuild either).
meson_suite() {
	suite=$1
	rm -f "$BUILD/meson-logs/testlog-$suite.json"
	$RUN meson test -C "$BUILD" --suite "$suite" --print-errorlogs --no-rebuild \
		--logbase "testlog-$suite" \
		--num-processes 2 >"$BUILD/test-$suite.log" 2>&1
	rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$BUILD/test-$suite.log" || true
	# shellcheck disable=SC2046
	set -- $(python3 "$ROOT/devtools/count-tests.py" --failures 80 \
		"$BUILD/meson-logs/testlog-$suite.json")
	p=${1:-0}; f=${2:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		tail -40 "$BUILD/test-$suite.log"
	fi
	[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1 && echo "test.sh: suite $suite ran no test"
	tally "$suite" "$p" "$f"
}

# A suite run by a script that ends with "N passed, N failed".
script_suite() {
	name=$1
	shift
	$RUN "$@" >"$BUILD/test-$name.log" 2>&1
	rc=$?
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$BUILD/test-$name.log" | tail -1 | sed 's/^[A-Za-z]*: //')
	p=$(echo "$line" | awk '{print $1+0}')
	f=$(echo "$line" | awk '{print $3+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -ne 0 ] || [ -z "$line" ]; then tail -30 "$BUILD/test-$name.log"; fi
	[ -z "$line" ] && [ "$f" -eq 0 ] && f=1
	tally "$name" "$p" "$f"
}

run_suite() {
	s=$1
	case "$s" in
	checkpatch)
		if $RUN "$ROOT/devtools/checkpatch.sh"; then tally checkpatch 1 0
		else tally checkpatch 0 1; fi ;;
	sanitize) script_suite sanitize "$ROOT/devtools/sanitize.sh" ;;
	fuzz) script_suite fuzz "$ROOT/devtools/fuzz.sh" 10 ;;
	# The tree on DPDK 24.11 and 25.11 in chroots of Debian 13 and 14:
	# chroot ready, build, unit suite, stock testpmd smoke, per release;
	# the Debian packages built, lintian-checked and installed for trixie
	# (doc/guides/dpdk_releases.rst).
	releases) script_suite releases "$ROOT/devtools/chroot.sh" --test ;;
	# A short benchmark run: it completes and its files are well formed
	# (no timing is asserted anywhere).
	bench) script_suite bench "$ROOT/devtools/bench/run.sh" --quick ;;
	# Debian packages: build, lintian, install/remove here, VM scenario
	# (skipped, not counted, with --no-vm).
	packages) VFTOKEN_NO_VM=$novm script_suite packages "$ROOT/devtools/packages.sh" ;;
	docs)
		if $RUN sphinx-build -W -q -b html "$ROOT/doc/guides" "$BUILD/doc/html"; then
			tally docs 1 0
		else tally docs 0 1; fi ;;
	*) meson_suite "$s" ;;
	esac
}

# Two tracks. The suites that boot VMs (vm, packages, bench: one VM at a
# time) run one after another in the foreground; the others (builds, unit
# tests, fuzzing, docs) run meanwhile in the background, each at the lowest
# priority (lowprio; meson's own sessions of the unit tests excepted). They
# stretch the VM scenarios they run beside, by less than they would take
# after them (measured: doc/guides/getting_started.rst, "How long a full
# run takes"). Each track prints a suite's lines when it ends; the seconds
# of a suite are its own track's.
host_suites=""
vm_suites=""
for s in $suites; do
	case "$s" in
	vm|packages|bench) vm_suites="$vm_suites $s" ;;
	*) host_suites="$host_suites $s" ;;
	esac
done
HOST_PID=
if [ -n "$vm_suites" ] && [ -n "$host_suites" ]; then
	echo "test.sh: in the background at the lowest priority:$host_suites; then:$vm_suites"
	(
		RUN=lowprio
		for s in $host_suites; do run_suite "$s"; done
	) &
	HOST_PID=$!
else
	vm_suites="$host_suites $vm_suites"
fi
for s in $vm_suites; do run_suite "$s"; done
if [ -n "$HOST_PID" ]; then
	wait "$HOST_PID"
	echo "test.sh: background suites finished"
fi

if [ -n "$KBUILD_PID" ]; then
	wait "$KBUILD_PID"
	grep -E '^(build-kernel: build: done|test.sh: rig kernel)' "$BUILD/test-kernel.log" | sed 's/^/test.sh: /; s/^test.sh: test.sh: /test.sh: /'
fi
echo "test.sh: all suites took $(($(date +%s) - T_START)) s, set-up included"
# Scenarios devtools/vm/run.sh ran twice (its "vm: rerun: scenario= kernel=
# why=" line; only the second run's checks count): each named, then their
# number and reasons on the line before the tally (doc/guides/vm_rig.rst).
RERUNS=$(for s in $suites; do
	f=$BUILD/meson-logs/testlog-$s.json
	[ -f "$f" ] || f=$BUILD/test-$s.log
	[ -f "$f" ] && grep -ao 'vm: rerun: [^"\\]*' "$f"
done | sed 's/^vm: //' | sort -u)
[ -n "$RERUNS" ] && echo "$RERUNS" | sed 's/^/test.sh: /'
echo "test.sh: $(echo "$RERUNS" | grep -c '^rerun:') scenario run(s) needed a rerun$(echo "$RERUNS" |
	sed -n 's/.* why=\([^ ]*\).*/\1/p' | sort | uniq -c | awk '{ printf "%s %s %d", (NR == 1 ? " (why:" : ","), $2, $1 } END { if (NR) printf ")" }')"
awk '{p += $2; f += $3} END {printf "%d passed, %d failed\n", p, f; exit (f > 0)}' "$TALLY"
