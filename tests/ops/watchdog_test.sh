#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The VM rig's freeze verdict (devtools/vm/lib/watchdog.sh) on made-up
# consoles: a fake clock (now), a fake QEMU CPU counter (qemu_ticks) and a
# console file written here stand in for the running guest; what is tested
# is the rule alone (doc/guides/vm_rig.rst, "Seen on 6.1 too, and the
# heartbeat", "Half a guest frozen"). Usage: watchdog_test.sh SRCDIR
set -u
SRC=$1
# shellcheck source=tests/ops/lib.sh
. "$SRC/tests/ops/lib.sh"
# shellcheck source=devtools/vm/lib/watchdog.sh
. "$SRC/devtools/vm/lib/watchdog.sh"

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
T=0       # the fake clock, in seconds
TICKS=0   # the fake QEMU's CPU ticks
quiet=1
now() { echo "$T"; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
qemu_ticks() { echo "$TICKS"; }

# start: a scenario starts at time 0 with an empty console.
start() {
	: >"$LOG"
	T=0
	TICKS=0
	watch_reset
	t_sc_start=0
	watch_beat 0
	echo "VFTOKEN-VM: scenario start x" >>"$LOG"
	watch_from_start "$LOG"
}

# tick SECS BUSY [LINE...]: SECS seconds pass one by one, QEMU using BUSY
# hundredths of a core; each LINE is printed on the console at the end.
tick() {
	local s=$1 busy=$2 i
	shift 2
	for ((i = 0; i < s; i++)); do
		T=$((T + 1))
		TICKS=$((TICKS + busy * $(getconf CLK_TCK) / 100))
		cpu_sample
	done
	for l in "$@"; do
		printf '%s\n' "$l" >>"$LOG"
	done
	stream "$LOG"
}

# beats N BUSY C0 C1 [LINE]: N beats 10 s apart with timer counts C0 and C1
# (each +100 per beat when given as "+", fixed otherwise).
beats() {
	local n=$1 busy=$2 c0=$3 c1=$4 line=${5:-} i a=1000 b=1000
	for ((i = 0; i < n; i++)); do
		[ "$c0" = + ] && a=$((a + 100)) || a=$c0
		[ "$c1" = + ] && b=$((b + 100)) || b=$c1
		tick 10 "$busy" "VFTOKEN-VM: alive $T.00 timer $a $b" ${line:+"$line"}
	done
}

expect() {
	local want=$1 what=$2
	frozen_why=
	if guest_frozen; then got=frozen; else got=running; fi
	if [ "$got" = "$want" ]; then
		ok "$what: $got${frozen_why:+ ($frozen_why)}"
	else
		nok "$what: $got, expected $want${frozen_why:+ ($frozen_why)}"
	fi
}

start
beats 9 50 + + "PASS: a check"
expect running "beats, both timers moving, the scenario printing"

start
beats 9 5 + + "[   12.345678] a kernel line"
expect running "beats and both timers moving, only the kernel printing"

start
beats 9 5 + 1000 "PASS: a check"
expect running "vCPU 1's timer still for 90 s while the scenario prints"

start
beats 9 5 + 1000 "[   42.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
expect frozen "vCPU 1's timer still for 90 s, the scenario silent, only the kernel printing"
case $frozen_why in
*'vCPU 1 took no timer interrupt'*) ok "the verdict names vCPU 1" ;;
*) nok "the verdict names vCPU 1: '$frozen_why'" ;;
esac

start
beats 3 5 + + "PASS: a check"
beats 5 5 1300 + "PASS: another"
tick 10 5
expect running "vCPU 0's timer still for 50 s and the scenario silent for 10 s"

start
beats 2 50 + +
tick 61 5
expect frozen "no beat for 61 s, QEMU at 5 % of a core"

start
beats 2 50 + +
tick 61 90
expect running "no beat for 61 s, QEMU at 90 % of a core"
tick 60 90
expect running "no beat for 121 s, QEMU at 90 % of a core"
tick 60 90
expect frozen "no beat for 181 s, QEMU at 90 % of a core"
case $frozen_why in
*'while QEMU was busy'*) ok "the verdict says QEMU was busy" ;;
*) nok "the verdict says QEMU was busy: '$frozen_why'" ;;
esac

start
tick 5 50
expect running "5 s into the scenario, no beat yet"

ops_done
