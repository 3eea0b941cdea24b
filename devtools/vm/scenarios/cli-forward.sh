#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Token-gated VF forwarding with stock DPDK, set up with the vftoken CLI.
#
# vftoken vfs create PF 2 --bind; vftoken status --json checked against
# sysfs; vftoken check before/after the token is set; vftoken token set
# --generate. Stock Debian dpdk-testpmd on the PF (net_e1000_igb, left idle
# to serve the VF mailbox) and a second one on both VFs with mac forwarding
# between them (each port's peer is the other VF's MAC, start tx_first).
# Then the token is rotated while no VF is open: the old token is rejected
# (vftoken check, and stock testpmd probes no port with it), the new one
# forwards again. Last, with the VFs in use, token set without the current
# token is refused (EACCES) and with it succeeds.
#
# One line per check, "N passed, N failed"; counts and rates go to
# $VM_SCRATCH/forward.json. Runs inside the VM rig (devtools/vm/README.md).

set -u

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

PF=$VM_PF
OUT=$VM_SCRATCH
# 3 s: at the rig's ~100-500 kpps the RX > 0 checks see 10^5+ packets;
# a longer window proves nothing more (doc/guides/vm_rig.rst, run time).
FWD_SECS=${FWD_SECS:-3}

has() { grep -qF -- "$2" "$OUT/vft-$1.$3"; }
jq_true() { [ "$(jq -r "$2" "$OUT/vft-$1.out" 2>/dev/null)" = true ]; }

# ---- testpmd (lib/scenario.sh's tp_*: logs in $OUT/NAME.log) ---------------
trap tp_stop_all EXIT

# ---- steps ------------------------------------------------------------------

setup_host() {
	check "hugetlbfs mounted" grep -q ' hugetlbfs ' /proc/mounts
	check "at least 128 free 2 MB hugepages" \
		test "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" -ge 128
	check "modprobe vfio-pci enable_sriov=1" modprobe vfio-pci enable_sriov=1
	check "vftoken binary present" test -x "$VFT"
}

cli_vfs_create() {
	vft status-before status --json "$PF"
	check "status: PF found, no VFs yet" jq_true status-before \
		".pfs[0].addr == \"$PF\" and .pfs[0].num_vfs == 0"
	vft create vfs create "$PF" 2 --bind
	check "vfs create $PF 2 --bind" rc_is 0
	vft create-again vfs create "$PF" 2
	check "vfs create again: precondition, says how many" rc_is 11
	check "  ... 'already has 2 VFs'" has create-again "already has 2 VFs" err
}

# status --json against what sysfs says
status_vs_sysfs() {
	local vfs i vf q
	mapfile -t vfs < <(vfs_of "$PF")
	VF0=${vfs[0]:-none}
	VF1=${vfs[1]:-none}
	vft status status --json
	q=".pfs[] | select(.addr == \"$PF\")"
	check "status: PF on vfio-pci (sysfs: $(driver_of "$PF"))" jq_true status \
		"($q | .driver == \"$(driver_of "$PF")\" and .driver == \"vfio-pci\")"
	check "status: num_vfs == sysfs sriov_numvfs ($(cat "$(dev "$PF")/sriov_numvfs"))" \
		jq_true status "($q | .num_vfs == $(cat "$(dev "$PF")/sriov_numvfs") and .total_vfs == $(cat "$(dev "$PF")/sriov_totalvfs"))"
	check "status: VF addresses == virtfn links (${vfs[*]})" jq_true status \
		"($q | [.vfs[].addr]) == $(printf '%s\n' "${vfs[@]}" | jq -R . | jq -cs .)"
	for i in 0 1; do
		vf=${vfs[$i]:-none}
		check "status: VF$i $vf driver $(driver_of "$vf"), group $(group_of "$vf")" \
			jq_true status "($q | .vfs[$i] | .driver == \"$(driver_of "$vf")\" and .driver == \"vfio-pci\" and .iommu_group == $(group_of "$vf") and .token_gated)"
	done
	check "status: enable_sriov Y, VFs token-gated, ready" jq_true status \
		"(.vfio_pci.enable_sriov == \"Y\" and ($q | .vfs_token_gated and .ready))"
	vft status-vf status "$VF1"
	check "status VF1 shows its PF" has status-vf "$PF  PF" out
}

first_token() {
	vft check-notoken check "$VF0" --json
	check "check VF0 without token: token-needed (exit 6)" rc_is 6
	check "  ... verdict vf-needs-token" jq_true check-notoken '.verdict == "vf-needs-token"'
	rm -f "$OUT/tok"
	vft set1 token set "$PF" --generate --out "$OUT/tok"
	check "token set --generate --out tok" rc_is 0
	check "  ... tok is mode 0600" test "$(stat -c %a "$OUT/tok" 2>/dev/null)" = 600
	check "  ... token not in vftoken's output" no_uuid_in "$OUT/vft-set1.out" "$OUT/vft-set1.err"
	check "  ... fingerprint printed" has set1 "fp:" out
	vft check-tok check "$VF0" --token-file "$OUT/tok" --json
	check "check VF0 with the token: ok (exit 0)" rc_is 0
}

# stock_pf_start NAME TOKENFILE: stock testpmd on the PF, idle.
stock_pf_start() {
	tp_start "$1" -l 0,1 --file-prefix "$1" -m 128 -a "$PF" \
		"--vfio-vf-token=$(cat "$2")" -- -i --total-num-mbufs=$MBUFS
	if tp_wait "$1" 'testpmd> ' 180; then
		check "$1: stock testpmd on the PF up ($(grep -Eom1 '^Port 0: ([0-9A-F]{2}:){5}[0-9A-F]{2}' "$(tp_log "$1")"))" \
			grep -Eq '^Port 0: ([0-9A-F]{2}:){5}[0-9A-F]{2}' "$(tp_log "$1")"
	else
		check "$1: stock testpmd on the PF up" false
		tp_tail "$1"
	fi
}

# cli_vf_forward NAME TOKENFILE PHASE: lib/net.sh's vf_forward with stock
# testpmd on both VFs (the token by --vfio-vf-token), the VF MACs checked
# non-zero; the window's figures appended to forward-runs.jsonl.
cli_vf_forward() {
	local name=$1 phase=$3
	# shellcheck disable=SC2034 # read by vf_forward (lib/net.sh)
	TOK=$2
	vf_forward "$name" -m 128 -a "$VF0" -a "$VF1" "--vfio-vf-token=$(cat "$2")" || return 1
	check "$name: both VF MACs non-zero" test -n "$VF_MAC0" -a -n "$VF_MAC1" -a \
		"$VF_MAC0" != 00:00:00:00:00:00 -a "$VF_MAC1" != 00:00:00:00:00:00
	jq -n --arg phase "$phase" --argjson rx0 "${FWD_PKTS[0]}" --argjson rx1 "${FWD_PKTS[1]}" \
		--argjson secs "$FWD_WIN" --argjson pps "$((FWD_PPS[0] + FWD_PPS[1]))" \
		--arg mac0 "$VF_MAC0" --arg mac1 "$VF_MAC1" \
		'{phase: $phase, seconds: $secs, ports: [{mac: $mac0, rx: $rx0}, {mac: $mac1, rx: $rx1}], rx_pps_both_ports: $pps}' \
		>>"$OUT/forward-runs.jsonl"
}

rotate() {
	local fp1 fp2
	tp_stop pf1
	check "pf1: testpmd on the PF quit cleanly" test $? = 0
	rm -f "$OUT/tok2"
	vft set2 token set "$PF" --generate --out "$OUT/tok2"
	check "rotate while no VF is open: token set --generate --out tok2" rc_is 0
	fp1=$(grep -o 'fp:[0-9a-f]*' "$OUT/vft-set1.out")
	fp2=$(grep -o 'fp:[0-9a-f]*' "$OUT/vft-set2.out")
	check "  ... new fingerprint ($fp1 -> $fp2)" test -n "$fp2" -a "$fp1" != "$fp2"
	stock_pf_start pf2 "$OUT/tok2"
	vft check-old check "$VF0" --token-file "$OUT/tok" --json
	check "check VF0 with the old token: token-rejected (exit 7)" rc_is 7
	check "  ... verdict token-rejected" jq_true check-old '.verdict == "token-rejected"'
	vft check-new check "$VF0" --token-file "$OUT/tok2"
	check "check VF0 with the new token: ok (exit 0)" rc_is 0
}

# Stock DPDK with the old token: the open fails with EACCES, EAL retries
# without the token, fails again and skips the device; testpmd then runs
# with no port at all and exits 0 (stdin at EOF), so the checks are on the
# ports it probed.
old_token_vf() {
	local rc log
	log=$(tp_log vf-old)
	timeout 180 "$TESTPMD" -l 0,1 --file-prefix vf-old -m 128 -a "$VF0" -a "$VF1" \
		"--vfio-vf-token=$(cat "$OUT/tok")" -- --total-num-mbufs=$MBUFS \
		--forward-mode=mac --tx-first </dev/null >"$log" 2>&1
	rc=$?
	note "stock testpmd on the VFs with the old token: exit $rc"
	grep -E 'vfio_dev_fd|cannot be used|No probed|ports=' "$log" | sed 's/^/  | /'
	check "old token: EAL failed to get the VF fds" grep -q "Getting a vfio_dev_fd for $VF0 failed" "$log"
	check "old token: no port probed (No probed ethernet devices)" grep -q "No probed ethernet devices" "$log"
	check "old token: no port forwarded (ports=0)" grep -q "forwarding - ports=0 " "$log"
	check "old token: testpmd exit status is not a crash/timeout ($rc)" test "$rc" -lt 124
}

# With VFs in use the PF open without a token is refused (EACCES); with the
# current token it works. The PF testpmd is stopped first: a VFIO group is
# open in one process at a time.
token_in_use() {
	tp_start vf-busy -l 0,1 --file-prefix vf-busy -m 128 -a "$VF0" -a "$VF1" \
		"--vfio-vf-token=$(cat "$OUT/tok2")" -- -i --total-num-mbufs=$MBUFS
	check "vf-busy: stock testpmd on the VFs up" tp_wait vf-busy 'testpmd> ' 180
	tp_stop pf2
	check "pf2: testpmd on the PF quit cleanly" test $? = 0
	rm -f "$OUT/tok3"
	vft set-busy token set "$PF" --generate --out "$OUT/tok3"
	check "token set while VFs are open: token-needed (exit 6)" rc_is 6
	check "  ... says a VF is open and how to proceed" has set-busy "only be changed while no VF is open" err
	check "  ... the unset token file is removed" test ! -e "$OUT/tok3"
	vft set-current token set "$PF" --token-file "$OUT/tok2" --current-token-file "$OUT/tok2"
	check "token set with --current-token-file while VFs are open (exit 0)" rc_is 0
	tp_stop vf-busy
	check "vf-busy: testpmd on the VFs quit cleanly" test $? = 0
	vft check-after check "$VF0" --token-file "$OUT/tok2"
	check "check VF0 with the token in force: ok (exit 0)" rc_is 0
}

write_json() {
	jq -s --arg kernel "$(uname -r)" --arg pf "$PF" --arg vf0 "$VF0" --arg vf1 "$VF1" \
		'{kernel: $kernel, pf: $pf, vfs: [$vf0, $vf1], dpdk: "stock Debian dpdk-testpmd", runs: .}' \
		"$OUT/forward-runs.jsonl" >"$OUT/forward.json"
	note "forward.json: $(jq -c '[.runs[] | {phase, rx_pps_both_ports}]' "$OUT/forward.json")"
}

rm -f "$OUT/forward-runs.jsonl"
: >"$OUT/forward-runs.jsonl"
setup_host
cli_vfs_create
status_vs_sysfs
first_token
stock_pf_start pf1 "$OUT/tok"
cli_vf_forward vf1 "$OUT/tok" first-token
rotate
old_token_vf
cli_vf_forward vf2 "$OUT/tok2" after-rotation
token_in_use
write_json
tp_stop_all
# Tokens are secrets: none may appear in any output kept from this run.
check "no token in any vftoken output, testpmd log or result file" \
	no_uuid_in "$OUT"/*.log "$OUT"/*.out "$OUT"/*.err "$OUT"/*.json*
finish
