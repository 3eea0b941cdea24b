# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The TAP-like tally of the ops tests (sourced, not run): ok/nok print one
# line per check, ops_done the "N passed, N failed" summary and the status
# (0 only if no check failed). POSIX sh, for sh and bash alike.
# shellcheck shell=sh

pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

nok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}

# ops_failed: some check failed
ops_failed() { [ "$fail" -ne 0 ]; }

ops_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
