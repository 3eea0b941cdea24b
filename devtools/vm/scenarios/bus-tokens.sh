#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Per-device tokens (run with run.sh --second-pf). One PF testpmd through
# the plugin owns both igb PFs, each with its own token from its own file
# and one VF. One VF testpmd opens a VF of each PF, each with its own
# token: both ports come up, which DPDK's single global --vfio-vf-token
# cannot do (checked: stock testpmd with the first token opens only the
# first PF's VF). Swapped tokens fail both VFs. Telemetry shows each
# device's token source and fingerprint, equal to the PF's for its VFs.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

T1=/tmp/token-pf1
T2=/tmp/token-pf2

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, PF2 ${VM_PF2:-none}"
if [ -z "${VM_PF2:-}" ]; then
	check "run with run.sh --second-pf" false
	finish
	exit 1
fi
check "plugin is built" test -r "$PLUGIN"
check "vfio-pci loaded with enable_sriov=1" vfio_setup
check "both PFs bound to vfio-pci" eval "bind_vfio $VM_PF && bind_vfio $VM_PF2"
check "PFs start without VFs" eval "set_num_vfs $VM_PF 0 && set_num_vfs $VM_PF2 0"
check "two token files created" eval "make_token $T1 && make_token $T2"
check "the two tokens differ" test "$(cat $T1)" != "$(cat $T2)"
V1=$(vf_addr "$VM_PF" 0)
V2=$(vf_addr "$VM_PF2" 0)

tp_start pf -d "$PLUGIN" -l 0,1 --file-prefix pf --log-level=bus.sriov:info \
	-a "$VM_PF,num_vfs=1,vf_token_file=$T1" \
	-a "$VM_PF2,num_vfs=1,vf_token_file=$T2" -- -i --total-num-mbufs=$MBUFS
check "PF testpmd with both PFs starts" tp_wait pf 'testpmd> ' 180
check "each PF got 1 VF" test "$(num_vfs "$VM_PF")/$(num_vfs "$VM_PF2")" = 1/1
fp1=$(sed -n "s/^sriov: $VM_PF: VF token set (\(fp:[0-9a-f]*\),.*/\1/p" "$(tp_log pf)")
fp2=$(sed -n "s/^sriov: $VM_PF2: VF token set (\(fp:[0-9a-f]*\),.*/\1/p" "$(tp_log pf)")
echo "  PF fingerprints: $VM_PF $fp1, $VM_PF2 $fp2"
check "each PF's token set, fingerprints differ" \
	test -n "$fp1" -a -n "$fp2" -a "$fp1" != "$fp2"

# ---- per-device tokens ------------------------------------------------------
tp_start vf -d "$PLUGIN" -l 0,1 --file-prefix vf \
	-a "$V1,vf_token_file=$T1" -a "$V2,vf_token_file=$T2" \
	-- -i --total-num-mbufs=$MBUFS
check "VF testpmd starts" tp_wait vf 'testpmd> ' 180
check "both VFs are ports (one per PF, each with its token)" \
	grep -q '^Port 1: ' "$(tp_log vf)"
telemetry vf /sriov/list >"$OUTDIR/list.tel" 2>&1
telemetry vf "/sriov/info,$V1" >"$OUTDIR/v1.tel" 2>&1
telemetry vf "/sriov/info,$V2" >"$OUTDIR/v2.tel" 2>&1
sed 's/^/  | telemetry: /' "$OUTDIR/list.tel" "$OUTDIR/v1.tel" "$OUTDIR/v2.tel"
check "telemetry lists both VFs" \
	eval "grep -q '\"$V1\"' $OUTDIR/list.tel && grep -q '\"$V2\"' $OUTDIR/list.tel"
check "telemetry: $V1 is a probed VF of $VM_PF, token from vf_token_file, $fp1" \
	eval "grep -q '\"pf\": *\"$VM_PF\"' $OUTDIR/v1.tel &&
		grep -q '\"state\": *\"probed\"' $OUTDIR/v1.tel &&
		grep -q '\"token_source\": *\"vf_token_file\"' $OUTDIR/v1.tel &&
		grep -q '\"token_fingerprint\": *\"$fp1\"' $OUTDIR/v1.tel"
check "telemetry: $V2 is a probed VF of $VM_PF2 with $fp2" \
	eval "grep -q '\"pf\": *\"$VM_PF2\"' $OUTDIR/v2.tel &&
		grep -q '\"state\": *\"probed\"' $OUTDIR/v2.tel &&
		grep -q '\"token_fingerprint\": *\"$fp2\"' $OUTDIR/v2.tel"
check "telemetry never shows a token" \
	eval "token_not_in $OUTDIR/v1.tel $T1 && token_not_in $OUTDIR/v2.tel $T2"
tp_stop vf
check "VF testpmd exits cleanly" test $? = 0

# ---- swapped tokens fail both ----------------------------------------------
tp_start swapped -d "$PLUGIN" -l 0,1 --file-prefix swapped \
	-a "$V1,vf_token_file=$T2" -a "$V2,vf_token_file=$T1" \
	-- -i --total-num-mbufs=$MBUFS
tp_wait swapped 'testpmd> |EAL: Error|Cause:' 180
check "swapped tokens: both VFs refused with token-rejected" \
	test "$(tp_count swapped 'cannot open the device \[token-rejected\]')" = 2
tp_stop swapped >/dev/null

# ---- what stock DPDK does with one global token ----------------------------
tp_start stock -l 0,1 --file-prefix stock --vfio-vf-token="$(cat $T1)" \
	-a "$V1" -a "$V2" -- -i --total-num-mbufs=$MBUFS
tp_wait stock 'testpmd> |EAL: Error|Cause:' 180
check "stock DPDK, one global token: only $V1 becomes a port" \
	eval "grep -q '^Port 0: ' $(tp_log stock) && ! grep -q '^Port 1: ' $(tp_log stock)"
tp_stop stock >/dev/null

for f in pf vf swapped stock; do
	check "$f: no token in the output" \
		eval "token_not_in $(tp_log $f) $T1 && token_not_in $(tp_log $f) $T2"
done
tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
tp_stop_all
set_num_vfs "$VM_PF" 0
set_num_vfs "$VM_PF2" 0
finish
