#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Function resets per launch: how many FLRs the kernel does when a testpmd
# opens 2 VFs and when it exits, stock DPDK (--vfio-vf-token) against the
# sriov bus plugin, counted with ftrace on pcie_flr() in the guest (the
# function tracer: every call, with its kernel timestamp).
#
# vfio-pci resets a VF at its first open (vfio_pci_core_enable()) and at
# its last close (vfio_pci_core_disable()); stock DPDK adds a
# VFIO_DEVICE_RESET right after the open. The plugin skips that one when
# the kernel has just reset the function (doc/guides/bus_sriov.rst,
# "Resets"): 1 FLR per VF at start-up where stock has 2.
#
# The check is on the plugin's count (one per VF); stock's count and both
# launches' probe phase ("VFIO support initialized" to "Interactive-mode
# selected", stamped as the lines arrive, ~50 ms resolution) and the
# plugin's per-device timings (bus.sriov debug log) are printed, one
# untimed run: not a benchmark.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"
# shellcheck source=../lib/trace.sh
. "$HERE/../lib/trace.sh"

TOK=/tmp/vf-token

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN"
plugin_ready "$TOK"

check "ftrace function_graph on $FLR_FN" flr_trace_on

# ---- the PF, through the plugin (it creates the VFs and sets the token) ----
check "PF testpmd with the plugin starts" pf_start pf "$TOK" 2
check "VFs $VF0 $VF1 on vfio-pci" \
	test "$(driver_of "$VF0")/$(driver_of "$VF1")" = vfio-pci/vfio-pci

# launch NAME EAL-ARGS...: a testpmd on the two VFs, up to its prompt, then
# quit; sets OPEN_FLRS (FLRs from the launch to the prompt), EXIT_FLRS
# (from "quit" to the process gone) and PROBE_S.
launch() {
	local name=$1 t0 t1
	shift
	flr_trace_clear
	tp_start "$name" -l 0,1 --file-prefix "$name" "$@" -a "$VF0" -a "$VF1" \
		-- -i --total-num-mbufs=$MBUFS
	tp_stamp "$name"
	if ! tp_wait "$name" 'testpmd> ' 180; then
		check "$name: testpmd on the VFs starts" false
		tp_tail "$name" 30
		tp_stop "$name"
		return 1
	fi
	flr_took "$name-open"
	OPEN_FLRS=$FLRS
	note "$name open: $FLRS FLRs ($FLR_MS ms; flr-$name-open.trace)"
	# the bus's view of it, while it runs (none for stock)
	[ "$name" = ours ] && telemetry "$name" "/sriov/info,$VF0" >"$OUTDIR/$name.tel" 2>&1
	flr_trace_clear
	tp_stop "$name"
	check "$name: testpmd exits cleanly" test $? = 0
	flr_took "$name-exit"
	EXIT_FLRS=$FLRS
	note "$name exit: $FLRS FLRs ($FLR_MS ms; flr-$name-exit.trace)"
	t0=$(tp_stamp_of "$name" 'VFIO support initialized')
	t1=$(tp_stamp_of "$name" 'Interactive-mode selected')
	PROBE_S=
	[ -n "$t0" ] && [ -n "$t1" ] &&
		PROBE_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	check "$name: 2 ports" \
		test "$(tp_count "$name" 'Port [01]: ([0-9A-F]{2}:){5}')" -ge 2
	check "$name: the token is not in the log" token_not_in "$(tp_log "$name")" "$TOK"
}

launch stock --vfio-vf-token="$(cat "$TOK")"
STOCK_OPEN=$OPEN_FLRS STOCK_EXIT=$EXIT_FLRS STOCK_PROBE=$PROBE_S
launch ours -d "$PLUGIN" --log-level=bus.sriov:debug \
	--vfio-vf-token="$(cat "$TOK")"
echo "  ours: the bus's per-device timings:"
grep -E 'sriov: .*(start-up|release took)' "$(tp_log ours)" | sed 's/^/  | /'

echo "  FLRs per launch on 2 VFs, kernel $VM_KERNEL:"
echo "    stock: $STOCK_OPEN to open, $STOCK_EXIT at exit; probe phase ${STOCK_PROBE:-?} s"
echo "    ours:  $OPEN_FLRS to open, $EXIT_FLRS at exit; probe phase ${PROBE_S:-?} s"
check "ours: one FLR per VF to open (the kernel's), no second" \
	test "$OPEN_FLRS" = 2
# the parallel open (doc/guides/bus_sriov.rst, "Start-up: what differs
# from stock DPDK"): both VFs in one batch, then probed in list order
check "ours: the bus opened both VFs in one batch (vft_iommu_open_devices)" \
	test "$(tp_count ours 'opened 2 devices on up to [0-9]+ threads')" = 1
check "ours: VF0's token line, then VF1's (list order)" \
	test "$(grep -Eo "sriov: ($VF0|$VF1): VF of PF" "$(tp_log ours)" | cut -d' ' -f2 | tr -d '\n')" = "$VF0:$VF1:"
check "ours: the bus logs reset: at-open for both VFs" \
	test "$(tp_count ours 'start-up: .*reset: at-open')" = 2
check "ours: one FLR per VF at exit" test "$EXIT_FLRS" = 2
note "ours: telemetry $(cat "$OUTDIR/ours.tel" 2>/dev/null)"
check "ours: telemetry /sriov/info has the start-up timings and the reset" \
	grep -Eq '"open_us": *[0-9]+,.*"probe_us": *[0-9]+.*"reset": *"at-open"' "$OUTDIR/ours.tel"

flr_trace_off
tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
tp_stop_all
set_num_vfs "$VM_PF" 0
finish
