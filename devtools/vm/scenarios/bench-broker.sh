#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The broker's open benchmark (devtools/bench/run.sh broker-open boots the rig
# once and runs this): a VF opened by the process itself against the same
# VF opened through the VF token broker, side by side in one boot.
#
# The PF is on vfio-pci with 2 VFs (vftoken vfs create) and a token set
# with the CLI from the 0600 file DIR/PF.token; no PF process runs, so no
# PF driver reacts to the VF resets of the opens. vftokend runs in the
# foreground with a 0600 policy of root's that lets root open the PF's
# VFs and with DIR as its token directory. Each round runs
# tests/vm/open_loop twice, in ABBA order (direct first in odd rounds,
# the broker first in even ones):
#
#   direct  open_loop time VF0 --token-file DIR/PF.token N
#           (per open: vft_iommu_init, the token file read,
#           vft_iommu_open_device)
#   broker  open_loop time VF0 --broker SOCK N
#           (per open: vft_iommu_init, vft_iommu_open_brokered: connect,
#           the broker's policy check, its token read and open into the
#           client's fresh container, the fds over SCM_RIGHTS)
#
# Both ways open into a fresh IOMMU context each time, so the kernel does
# the same work (container, group, IOMMU, device, the VF's reset). Each
# run prints the median, mean, min and max of its N opens and the median
# of its closes (CLOCK_MONOTONIC in the guest). One untimed warm-up run of each way comes first.
#
# Figures: $VM_SCRATCH/broker.tsv, a header line and one line per round
# (ROUND, ORDER, then the median, mean, min and max open and the median
# close, each of direct and of the broker, in microseconds); $VM_SCRATCH/broker.env, facts of the guest (KEY<TAB>
# VALUE). A benchmark, not a test: the checks are about the runs working
# (every open opened, no fd left in the client, none grown in the broker,
# one log line per brokered open, no token in the broker's log), never
# about how fast.
#
# args: [--rounds R] [--opens N] [--path group|cdev]

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
# shellcheck source=../lib/bench.sh
. "$HERE/../lib/bench.sh"

ROUNDS=10
OPENS=20
VPATH=group
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2 && shift ;;
	--opens) OPENS=$2 && shift ;;
	--path) VPATH=$2 && shift ;;
	*)
		echo "bench-broker: unknown argument '$1' (expected --rounds R, --opens N, --path group|cdev)"
		exit 2
		;;
	esac
	shift
done
for v in "$ROUNDS" "$OPENS"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || {
		echo "bench-broker: '$v' is not a positive count (--rounds, --opens)"
		exit 2
	}
done

# shellcheck disable=SC2153 # from run.sh's environment
VMBIN=$VFTOKEN_BUILD/tests/vm
VFT=$VFTOKEN_BUILD/app/vftoken/vftoken
TD=/run/bench-broker
SOCK=$TD/broker.sock
POLICY=$TD/broker.policy
TOK=$TD/$VM_PF.token
RAW=$VM_SCRATCH/broker.tsv
ENVF=$VM_SCRATCH/broker.env
BLOG=$OUTDIR/broker.log

# fd_count PID: entries in /proc/PID/fd
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# val FILE KEY: the value of KEY=... in open_loop's output
val() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# one_run NAME WAY: open_loop time on VF0 the way WAY (direct|broker);
# its output in $OUTDIR/NAME.out
one_run() {
	local out=$OUTDIR/$1.out how
	if [ "$2" = direct ]; then how=(--token-file "$TOK"); else how=(--broker "$SOCK"); fi
	"$VMBIN/open_loop" time "$VF0" "${how[@]}" "$OPENS" --path "$VPATH" >"$out" 2>&1
	echo "open_loop exit $?" >>"$out"
}

# run_ok NAME: every open opened, the client's fds as before, exit 0
run_ok() {
	local out=$OUTDIR/$1.out
	if grep -qx 'open_loop exit 0' "$out" &&
		test "$(val "$out" opened)" = "$OPENS" &&
		test "$(val "$out" fds_after)" = "$(val "$out" fds_before)"; then
		return 0
	fi
	sed 's/^/  | /' "$out" | head -n 20
	return 1
}

# start_broker: the broker on SOCK with a policy letting root open every
# VF of the PF (scenario.sh's broker_start waits for its socket).
start_broker() {
	printf 'allow uid=0 action=open pf=%s vf=*\n' "$VM_PF" >"$POLICY" &&
		chmod 0600 "$POLICY" || return 1
	broker_start --token-dir "$TD" && BPID=$BROKER_PID
}

echo "kernel $VM_KERNEL, PF $VM_PF, $ROUNDS rounds of $OPENS opens each way, $VPATH path"
check "open_loop, vftoken and vftokend are built" \
	test -x "$VMBIN/open_loop" -a -x "$VFT" -a -x "$VFTOKEND"
pf_ready "$VM_PF"
check "vftoken vfs create $VM_PF 2" "$VFT" vfs create "$VM_PF" 2
VF0=$(vf_addr "$VM_PF" 0)
check "VF0 $VF0 on vfio-pci" test "$(driver_of "$VF0")" = vfio-pci
install -d -m 0700 "$TD"
check "token file $TD/PF.token created (0600)" make_token "$TOK"
check "vftoken token set $VM_PF --token-file (the PF's token)" \
	"$VFT" token set "$VM_PF" --token-file "$TOK"
check "vftokend starts in the foreground, policy 0600 root's" start_broker
BFD0=$(fd_count "$BPID")

one_run warm-direct direct
check "warm-up: direct opens $OPENS of $OPENS" run_ok warm-direct
one_run warm-broker broker
check "warm-up: broker opens $OPENS of $OPENS" run_ok warm-broker

printf 'round\torder\tdirect_median_us\tbroker_median_us\tdirect_mean_us\tbroker_mean_us\tdirect_min_us\tbroker_min_us\tdirect_max_us\tbroker_max_us\tdirect_close_median_us\tbroker_close_median_us\n' >"$RAW"
good=0
for ((r = 1; r <= ROUNDS; r++)); do
	order=$(abba "$r" direct broker)
	ok=1
	for w in $order; do
		one_run "r$r-$w" "$w"
		run_ok "r$r-$w" || ok=0
	done
	d=$OUTDIR/r$r-direct.out
	b=$OUTDIR/r$r-broker.out
	note "round $r (${order/ /, }): open median direct $(val "$d" open_us_median) us, broker $(val "$b" open_us_median) us"
	[ "$ok" = 1 ] || continue
	good=$((good + 1))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${order/ /-}" \
		"$(val "$d" open_us_median)" "$(val "$b" open_us_median)" \
		"$(val "$d" open_us_mean)" "$(val "$b" open_us_mean)" \
		"$(val "$d" open_us_min)" "$(val "$b" open_us_min)" \
		"$(val "$d" open_us_max)" "$(val "$b" open_us_max)" \
		"$(val "$d" close_us_median)" "$(val "$b" close_us_median)" >>"$RAW"
done
check "every round: both ways opened $OPENS of $OPENS, no fd left in the client ($good of $ROUNDS)" \
	test "$good" = "$ROUNDS"

BFD1=$(fd_count "$BPID")
note "broker fds: $BFD0 before the runs, $BFD1 after $(((ROUNDS + 1) * OPENS)) opens"
check "the broker holds no more fds after the opens ($BFD0 -> $BFD1)" test "$BFD1" -le "$BFD0"
nopen=$(grep -c "open $VF0 .*; opened, path $VPATH, token fp:" "$BLOG")
check "broker: one log line per open ($nopen of $(((ROUNDS + 1) * OPENS)))" \
	test "$nopen" = $(((ROUNDS + 1) * OPENS))
check "broker: the token is not in its log" token_not_in "$BLOG" "$TOK"

printf 'kernel\t%s\npath\t%s\nopens_per_run\t%s\nrounds\t%s\nvcpus\t%s\nguest_cpu\t%s\nbroker_fds_before\t%s\nbroker_fds_after\t%s\nbroker_opens\t%s\n' \
	"$VM_KERNEL" "$VPATH" "$OPENS" "$ROUNDS" "$(nproc)" \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
	"$BFD0" "$BFD1" "$nopen" >"$ENVF"

kill "$BPID"
wait "$BPID"
rc=$?
check "vftokend ends on SIGTERM (exit $rc)" test "$rc" = 0
set_num_vfs "$VM_PF" 0
finish
