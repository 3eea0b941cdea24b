#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Build the libFuzzer harnesses of tests/fuzz with libvftoken under ASan and
# UBSan (build dir build-fuzz, clang) and run each for SECONDS (default 60)
# on a copy of its seed corpus, so the repository is not modified. Prints per
# harness the executions, the new corpus entries and the findings (crash,
# leak, timeout or OOM files), then "N passed, N failed"; a harness passes
# if it ran with no finding and no sanitizer report. Exits non-zero on any
# failure.
#
#   devtools/fuzz.sh [SECONDS [HARNESS...]]
#
# With HARNESS names (e.g. "policy"), only those run; an unknown name is an
# error.
#
# The work directory (corpora, findings, logs) is BUILD/fuzz-work; it is
# replaced on each run. VFTOKEN_FUZZ_BUILD overrides the build directory.
# The devargs harness (the sriov bus's devargs parser) needs the DPDK SDK
# headers, VFTOKEN_DPDK_SDK (default: where devtools/setup.sh puts them);
# without them it is reported as failed, not skipped.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VFTOKEN_FUZZ_BUILD:-$ROOT/build-fuzz}
SDK=${VFTOKEN_DPDK_SDK:-${VFTOKEN_CACHE:-/var/cache/vftoken}/sdk/current/include}
SECS=${1:-60}
HARNESSES="uuid token devname pciaddr sysfs brokermsg policy devargs mpmsg"
[ "$#" -gt 0 ] && shift
if [ "$#" -gt 0 ]; then
	for h in "$@"; do
		case " $HARNESSES " in
		*" $h "*) ;;
		*)
			echo "fuzz.sh: unknown harness '$h' (expected one of: $HARNESSES)" >&2
			exit 2
			;;
		esac
	done
	HARNESSES="$*"
fi

case "$SECS" in
'' | *[!0-9]*)
	echo "fuzz.sh: SECONDS must be a positive number, got '$SECS'" >&2
	exit 2
	;;
esac
[ "$SECS" -gt 0 ] || { echo "fuzz.sh: SECONDS must be > 0" >&2; exit 2; }

nh=$(echo "$HARNESSES" | wc -w)
die() {
	echo "fuzz.sh: $1" >&2
	echo "0 passed, $nh failed"
	exit 1
}

command -v clang >/dev/null 2>&1 || die "clang is needed for libFuzzer"
if [ -f "$SDK/bus_driver.h" ]; then
	bus_opts="-Dbus_sriov=auto -Ddpdk_sdk=$SDK"
else
	bus_opts="-Dbus_sriov=disabled"
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	# shellcheck disable=SC2086
	CC=clang meson setup "$BUILD" "$ROOT" -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false $bus_opts \
		-Dkernel_tests=false -Ddocs=disabled >"$BUILD.setup.log" 2>&1 ||
		{ cat "$BUILD.setup.log"; die "meson setup of $BUILD failed"; }
	rm -f "$BUILD.setup.log"
elif ! ninja -C "$BUILD" -t targets all 2>/dev/null | grep -q '^tests/fuzz/fuzz_devargs:' &&
	[ -f "$SDK/bus_driver.h" ]; then
	# A build directory from before the devargs harness had the bus off.
	# shellcheck disable=SC2086
	meson setup --reconfigure "$BUILD" "$ROOT" $bus_opts >"$BUILD.setup.log" 2>&1 ||
		{ cat "$BUILD.setup.log"; die "meson setup --reconfigure of $BUILD failed"; }
	rm -f "$BUILD.setup.log"
fi
# A build directory from before a harness was added: let meson regenerate.
ninja -C "$BUILD" build.ninja >/dev/null 2>&1
# Only the harnesses that this build has; a missing one counts as failed.
missing=""
built=""
for h in $HARNESSES; do
	if ninja -C "$BUILD" -t targets all 2>/dev/null | grep -q "^tests/fuzz/fuzz_$h:"; then
		built="$built $h"
	else
		missing="$missing $h"
	fi
done
targets=""
for h in $built; do
	targets="$targets tests/fuzz/fuzz_$h"
done
[ -n "$targets" ] || die "no harness in $BUILD (is it configured with -Dfuzz=true?)"
# shellcheck disable=SC2086
ninja -C "$BUILD" $targets >"$BUILD/fuzz-build.log" 2>&1 ||
	{ tail -40 "$BUILD/fuzz-build.log"; die "build failed (is $BUILD configured with -Dfuzz=true?)"; }

WORK=$BUILD/fuzz-work
rm -rf "$WORK"
mkdir -p "$WORK"
# halt_on_error: a UBSan report must stop the run so libFuzzer records it.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
passed=0
failed=0
printf 'fuzz.sh: %-8s %7s %11s %11s %9s\n' harness seconds executions new-corpus findings
for h in $missing; do
	failed=$((failed + 1))
	printf 'fuzz.sh: %-8s  FAILED (not built in %s: needs the sriov bus, i.e. libdpdk and the DPDK SDK headers in %s)\n' \
		"$h" "$BUILD" "$SDK"
done
for h in $built; do
	d=$WORK/$h
	mkdir -p "$d/corpus" "$d/findings" "$d/tmp"
	cp "$ROOT/tests/fuzz/corpus/$h/"* "$d/corpus/"
	before=$(find "$d/corpus" -type f | wc -l)
	TMPDIR=$d/tmp "$BUILD/tests/fuzz/fuzz_$h" -max_total_time="$SECS" \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix="$d/findings/" "$d/corpus" >"$d/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
	after=$(find "$d/corpus" -type f | wc -l)
	nfind=$(find "$d/findings" -type f | wc -l)
	report=0
	grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|check failed:' \
		"$d/log" && report=1
	printf 'fuzz.sh: %-8s %7s %11s %11s %9s' "$h" "$SECS" "${execs:-?}" \
		$((after - before)) "$nfind"
	if [ "$rc" -eq 0 ] && [ "$nfind" -eq 0 ] && [ "$report" -eq 0 ]; then
		passed=$((passed + 1))
		echo "  ok"
	else
		failed=$((failed + 1))
		echo "  FAILED (exit $rc, log $d/log)"
		grep -E 'ERROR:|runtime error:|check failed:|SUMMARY:' "$d/log" | head -5 | sed 's/^/    /'
		find "$d/findings" -type f | sed 's/^/    finding: /'
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
