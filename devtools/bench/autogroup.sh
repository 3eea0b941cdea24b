#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Why devtools/test.sh runs its background work with lowprio: the CPU a
# session of two busy threads at nice 0 (a VM's QEMU, as meson test starts
# it) gets beside two busy threads in another session, when those run
#   A  at nice 19 (what test.sh did until 2026-12-02),
#   B  at nice 19 with their session's autogroup at nice 19 (lowprio).
# Linux's autogroups share the CPU between sessions first and by nice only
# inside one. Prints one line per window (CPU seconds of each session over
# SECS of wall time), A and B alternating. A measurement, not a test.
#
# usage: autogroup.sh [ROUNDS [SECS]]   (default 2 rounds of 10 s)
set -u
rounds=${1:-2}
secs=${2:-10}
busy='while :; do :; done'

[ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] ||
	echo "autogroup: note: autogroups are off here (kernel.sched_autogroup_enabled)"

# CPU seconds of every process of session $1 (ps: cumulative, whole seconds).
session_cpu() { ps -e -o sid=,cputimes= | awk -v s="$1" '$1 == s { t += $2 } END { print t + 0 }'; }

window() {
	local mode=$1 fg bg a0 b0 a1 b1 prefix=
	[ "$mode" = B ] && prefix='echo 19 >/proc/self/autogroup; '
	setsid bash -c "($busy) & ($busy) & wait" &
	fg=$!
	setsid bash -c "${prefix}exec nice -n 19 bash -c '($busy) & ($busy) & wait'" &
	bg=$!
	sleep 2
	a0=$(session_cpu "$fg")
	b0=$(session_cpu "$bg")
	sleep "$secs"
	a1=$(session_cpu "$fg")
	b1=$(session_cpu "$bg")
	pkill -KILL -s "$fg"
	pkill -KILL -s "$bg"
	wait "$fg" "$bg" 2>/dev/null
	echo "autogroup: $mode: nice-0 session $((a1 - a0)) CPU s, nice-19 session $((b1 - b0)) CPU s in $secs s on $(nproc) CPUs"
}

# stderr: bash's "Killed" of each reaped window, nothing else
for ((r = 0; r < rounds; r++)); do
	window A 2>/dev/null
	window B 2>/dev/null
done
