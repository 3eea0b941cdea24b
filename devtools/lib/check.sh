# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The tally of the devtools suites that run on the host (sourced, not run):
# check WHAT CMD... runs CMD and prints "PASS: WHAT" or "FAIL: WHAT";
# check_done prints "N passed, N failed". POSIX sh, for sh and bash alike.
# shellcheck shell=sh

pass=0
fail=0

check() {
	what=$1
	shift
	if "$@"; then
		echo "PASS: $what"
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=$((fail + 1))
	fi
}

# check_done: the tally; 0 only if no check failed
check_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
