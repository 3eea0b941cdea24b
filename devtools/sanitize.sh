#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Build vftoken with AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer in build-asan and run the unit suite there. Any
# sanitizer report fails the test that printed it. Prints meson's summary,
# then "N passed, N failed" counting the checks inside the tests (cmocka's
# summaries, else each test's verdict) and exits non-zero on any failure.
#
#   devtools/sanitize.sh
#
# CC picks the compiler (default cc); VFTOKEN_ASAN_BUILD the build directory.
# The DPDK bus plugin and the kernel conformance suite (run in the VM rig,
# not in the unit suite) are not built here.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VFTOKEN_ASAN_BUILD:-$ROOT/build-asan}

die() {
	echo "sanitize.sh: $1" >&2
	echo "0 passed, 1 failed"
	exit 1
}

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbus_sriov=disabled -Dkernel_tests=false -Ddocs=disabled \
		>"$BUILD.setup.log" 2>&1 ||
		{ cat "$BUILD.setup.log"; die "meson setup of $BUILD failed"; }
	rm -f "$BUILD.setup.log"
fi
ninja -C "$BUILD" >"$BUILD/sanitize-build.log" 2>&1 ||
	{ tail -40 "$BUILD/sanitize-build.log"; die "build failed"; }

# halt_on_error: UBSan only reports by default; make a report fail the test.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
rm -f "$BUILD/meson-logs/testlog.json"
meson test -C "$BUILD" --suite unit --print-errorlogs --num-processes 2 \
	>"$BUILD/sanitize-test.log" 2>&1
rc=$?
# The per-test lines and the summary block ("Ok: ... Timeout: ...").
grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' \
	"$BUILD/sanitize-test.log"
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
	"$BUILD/sanitize-test.log"; then
	echo "sanitize.sh: sanitizer reports:"
	grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY:' \
		"$BUILD/sanitize-test.log" | head -20
	[ "$rc" -ne 0 ] || rc=1
fi
# shellcheck disable=SC2046
set -- $(python3 "$ROOT/devtools/count-tests.py" "$BUILD/meson-logs/testlog.json")
p=${1:-0}
f=${2:-0}
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1
	tail -40 "$BUILD/sanitize-test.log"
fi
[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1 && echo "sanitize.sh: the unit suite ran no test"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
