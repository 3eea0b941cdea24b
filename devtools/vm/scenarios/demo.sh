#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The main job, shown for real in the VM rig (devtools/demo.sh runs it):
# VFs created on a vfio-pci PF, a token set, a VF open refused without it
# (with the explainer's words) and accepted with it; then VF-to-VF
# forwarding on the token-gated VFs, first with stock DPDK, then with the
# sriov bus plugin on both the PF and the VF side. The summary goes to
# $VM_SCRATCH/summary.txt; one line per check and "N passed, N failed".

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

VFT=$VFTOKEN_BUILD/app/vftoken/vftoken
TOK=$OUTDIR/demo.token
FWD_SECS=${FWD_SECS:-8}
SUMMARY=$OUTDIR/summary.txt
# shellcheck disable=SC2153 # from run.sh's environment
PF=$VM_PF
VF0=$(vf_addr "$PF" 0)
VF1=$(vf_addr "$PF" 1)

banner() { printf '\n==== %s\n' "$*"; }

# show CMD...: run a command, show its output indented, keep its status.
show() {
	local rc
	echo "  \$ ${*#"$VFTOKEN_BUILD"/app/vftoken/}"
	"$@" >"$OUTDIR/show.out" 2>&1
	rc=$?
	sed 's/^/  | /' "$OUTDIR/show.out"
	echo "  (exit $rc)"
	return $rc
}

token_gate() {
	banner "1. VFs on a vfio-pci PF"
	check "vfio-pci loaded with enable_sriov=1" vfio_setup
	set_num_vfs "$PF" 0 2>/dev/null
	check "vftoken vfs create $PF 2 --bind" show "$VFT" vfs create "$PF" 2 --bind
	show "$VFT" status "$PF"

	banner "2. The PF's token, set with VFIO_DEVICE_FEATURE"
	rm -f "$TOK"
	check "vftoken token set --generate (0600 file, fingerprint only)" \
		show "$VFT" token set "$PF" --generate --out "$TOK"
	FP=$(grep -o 'fp:[0-9a-f]*' "$OUTDIR/show.out" | head -n 1)

	banner "3. A VF open without the token is refused, and explained"
	show "$VFT" check "$VF0"
	check "open of $VF0 without the token refused (exit 6, vf-needs-token)" \
		test "$?" = 6
	NOTOKEN_MSG=$(sed -n 's/^ *reason: //p' "$OUTDIR/show.out" | head -n 1)

	banner "4. With the token it opens"
	check "open of $VF0 with the token accepted" \
		show "$VFT" check "$VF0" --token-file "$TOK"
}

stock_forward() {
	banner "5. Stock DPDK: testpmd on the PF and on both VFs (--vfio-vf-token)"
	tp_start pf-stock -l 0,1 --file-prefix pf-stock -a "$PF" \
		--vfio-vf-token="$(cat "$TOK")" -- -i --total-num-mbufs=$MBUFS
	check "stock PF testpmd (net_e1000_igb) serves the VF mailbox" \
		tp_wait pf-stock 'testpmd> ' 180
	FWD_RX0=0 FWD_RX1=0
	vf_forward vf-stock --vfio-vf-token="$(cat "$TOK")" -a "$VF0" -a "$VF1"
	STOCK_RX="$FWD_RX0 $FWD_RX1"
	tp_stop pf-stock
}

bus_forward() {
	banner "6. The sriov bus plugin on both sides (-d librte_bus_sriov.so)"
	set_num_vfs "$PF" 0
	tp_start pf-bus -d "$PLUGIN" -l 0,1 --file-prefix pf-bus \
		-a "$PF,num_vfs=2,vf_token_file=$TOK" --log-level=bus.sriov:info \
		-- -i --total-num-mbufs=$MBUFS
	check "PF helper: plugin created the VFs and set the token" \
		tp_wait pf-bus 'testpmd> ' 180
	grep -E 'sriov: .*(VF token set|created|probe PCI driver)' \
		"$(tp_log pf-bus)" | sed 's/^/  | /'
	FWD_RX0=0 FWD_RX1=0
	vf_forward vf-bus -d "$PLUGIN" --log-level=bus.sriov:info \
		-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK"
	BUS_RX="$FWD_RX0 $FWD_RX1"
	tp_stop pf-bus
}

summarise() {
	{
		echo "vftoken demo on kernel $VM_KERNEL (QEMU igb 82576, TCG)"
		echo "  PF $PF on vfio-pci, VFs $VF0 $VF1, token ${FP:-fp:?}"
		echo "  without the token: ${NOTOKEN_MSG:-?}"
		printf '  %-28s %12s %12s  (%ss)\n' "VF-to-VF mac forwarding" \
			"RX port 0" "RX port 1" "$FWD_SECS"
		# shellcheck disable=SC2086 # two numbers each
		printf '  %-28s %12s %12s\n' "stock DPDK" ${STOCK_RX:-? ?}
		# shellcheck disable=SC2086
		printf '  %-28s %12s %12s\n' "sriov bus plugin" ${BUS_RX:-? ?}
		# shellcheck disable=SC2154 # the tally of lib/scenario.sh
		echo "  checks: $pass passed, $fail failed"
	} >"$SUMMARY"
	banner "Summary"
	cat "$SUMMARY"
}

trap tp_stop_all EXIT
token_gate
stock_forward
bus_forward
set_num_vfs "$PF" 0
no_token_logged() {
	local f
	for f in "$OUTDIR"/*.log "$OUTDIR/show.out"; do
		token_not_in "$f" "$TOK" || return 1
	done
}
check "the token never appears in any log or output" no_token_logged
summarise
finish
