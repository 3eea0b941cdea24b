#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The VFIO path benchmark (devtools/bench/run.sh paths boots the 7.2-iommufd
# rig once and runs this): the sriov bus opening the same two VFs on the
# group path and on the cdev path, alternating ABBA round by round, with
# stock Debian dpdk-testpmd and one PF testpmd (group path, plugin,
# num_vfs=2) serving the VF mailbox throughout. Per run:
#
#   ready_s   launch to the interactive prompt (EAL init, bus scan, both
#             opens, DMA map of DPDK memory, PMD probe, port start)
#   pps       mac forwarding VF-to-VF, RX packets of both ports over the
#             window / window, after a discarded warm-up
#
# Figures go to $VM_SCRATCH/paths.tsv ("ROUND<TAB>PATH<TAB>KEY<TAB>VALUE").
# A benchmark, not a test: the checks are about the runs working, never
# about how fast.
#
# args: [--rounds N] [--secs S]

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
# shellcheck source=../lib/bench.sh
. "$HERE/../lib/bench.sh"

ROUNDS=4
SECS=5
WARM=1
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2 && shift ;;
	--secs) SECS=$2 && shift ;;
	*)
		echo "bench-paths: unknown argument '$1'"
		exit 2
		;;
	esac
	shift
done

TOK=/tmp/bench-token
bench_setup /tmp/bench-paths "$VM_SCRATCH/paths.tsv"
# the testpmd logs in the share, as before (tp_start, ../lib/scenario.sh)
# shellcheck disable=SC2034
OUTDIR=$VM_SCRATCH

# sum of RX-packets of ports 0 and 1 in the last "show port stats all"
rx_sum() {
	awk '/NIC statistics for port/ { for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1) }
	     /RX-packets:/ { rx[p] = $2 }
	     END { print rx[0] + rx[1] }' "$(tp_log "$1")"
}

# one_run PATH: in round $ROUND, time to the prompt, then the forwarding rate
one_run() {
	local path=$1 name="r$ROUND-$1" t0 ready mac0 mac1 a b
	t0=$EPOCHREALTIME
	tp_start "$name" -d "$PLUGIN" -l 0,1 --file-prefix "$name" \
		-a "$VF0,vfio_path=$path,vf_token_file=$TOK" \
		-a "$VF1,vfio_path=$path,vf_token_file=$TOK" \
		-- -i --total-num-mbufs=$MBUFS
	if ! tp_wait "$name" 'testpmd> ' 180; then
		check "$name: testpmd starts" false
		tp_stop "$name"
		return
	fi
	ready=$(sub "$EPOCHREALTIME" "$t0")
	check "$name: both VFs on the $path path" \
		test "$(tp_count "$name" ", $path path\$")" = 2
	tp_send "$name" "show port summary all"
	tp_wait "$name" '^1 +([0-9A-Fa-f]{2}:){5}' 20
	mac0=$(port_mac "$name" 0)
	mac1=$(port_mac "$name" 1)
	tp_send "$name" "set fwd mac"
	tp_send "$name" "set eth-peer 0 $mac1"
	tp_send "$name" "set eth-peer 1 $mac0"
	tp_send "$name" "start tx_first"
	sleep "$WARM"
	tp_send "$name" "clear port stats all"
	tp_sync "$name"
	a=$EPOCHREALTIME
	sleep "$SECS"
	tp_send "$name" "show port stats all"
	tp_sync "$name"
	b=$(sub "$EPOCHREALTIME" "$a")
	rec ready_s "$ready"
	rec window_s "$b"
	rec rx_packets "$(rx_sum "$name")"
	rec_flush
	echo "  $name: ready ${ready}s, RX $(rx_sum "$name") in ${b}s"
	check "$name: packets forwarded" test "$(rx_sum "$name")" -gt 0
	tp_send "$name" "stop"
	tp_stop "$name"
	check "$name: no token in the log" token_not_in "$(tp_log "$name")" "$TOK"
}

echo "kernel $VM_KERNEL, PF $VM_PF, $ROUNDS rounds, ${SECS}s windows"
check "plugin is built" test -r "$PLUGIN"
check "the kernel has iommufd" test -c /dev/iommu
pf_ready "$VM_PF"
check "token file created" make_token "$TOK"
VF0=$(vf_addr "$VM_PF" 0)
VF1=$(vf_addr "$VM_PF" 1)
tp_start pf -d "$PLUGIN" -l 0,1 --file-prefix pf \
	-a "$VM_PF,num_vfs=2,vf_token_file=$TOK" -- -i --total-num-mbufs=$MBUFS
check "PF testpmd starts" tp_wait pf 'testpmd> ' 180

for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	for MODE in $(abba "$ROUND" group cdev); do
		one_run "$MODE"
	done
done

tp_stop pf
tp_stop_all
set_num_vfs "$VM_PF" 0
finish
