#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Device removal and hot-plug on the sriov bus. A VF testpmd (plugin,
# --hot-plug) forwards on both VFs while sriov_numvfs of the PF is set to
# 0: vfio-pci asks the VF user to give the devices back (VFIO request
# IRQ); the bus releases them, raises RTE_DEV_EVENT_REMOVE, testpmd
# detaches the ports. The write returns, the process survives and holds no
# fd of the VFs' groups. Then, VFs created again, "port attach
# sriov:<VF>,vf_token_file=..." hot-plugs a VF through the bus and "port
# detach" removes it again, releasing its group.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF"
plugin_ready "$TOK"

check "PF testpmd with the plugin starts and creates 2 VFs" \
	eval "pf_start pf $TOK 2 && test \"\$(num_vfs $VM_PF)\" = 2"
G0=$(group_of "$VF0")
G1=$(group_of "$VF1")

tp_start vf -d "$PLUGIN" -l 0,1 --file-prefix vf --log-level=bus.sriov:info \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK" \
	-- -i --hot-plug --total-num-mbufs=$MBUFS
check "VF testpmd starts with 2 ports" \
	eval "tp_wait vf 'testpmd> ' 180 && grep -q '^Port 1: ' $(tp_log vf)"
VFPID=${TP_PID[vf]}
check "VF process holds groups $G0 and $G1" \
	eval "holds_group $VFPID $G0 && holds_group $VFPID $G1"
# traffic before the removal, so that the removal happens under it
vf_pair_ready vf
tp_send vf "start tx_first"
check "$(fwd_check_name "VF testpmd")" fwd_flowing vf

# ---- sriov_numvfs to 0 under a running VF user ----------------------------
start=$(date +%s)
timeout 120 sh -c "echo 0 > $(dev "$VM_PF")/sriov_numvfs"
rc=$?
took=$(($(date +%s) - start))
echo "  echo 0 > sriov_numvfs: rc $rc after ${took}s"
check "sriov_numvfs=0 completes (the bus gave the VFs back) within 60 s" \
	test "$rc" = 0 -a "$took" -le 60
check "VFs are gone" test "$(num_vfs "$VM_PF")" = 0
check "VF process survives the removal" tp_alive vf
check "the bus logged the kernel's request for both VFs" \
	test "$(tp_count vf 'the kernel requests the device back')" = 2
check "testpmd detached both ports" \
	tp_wait vf 'Now total ports is 0' 30
check "VF process holds no fd of groups $G0 $G1 any more" \
	holds_no_group "$VFPID" "$G0" "$G1"
telemetry vf /sriov/list >"$OUTDIR/list-after-remove.tel" 2>&1
sed 's/^/  | telemetry: /' "$OUTDIR/list-after-remove.tel"
check "telemetry /sriov/list is empty" \
	grep -q '"/sriov/list": *\[\]' "$OUTDIR/list-after-remove.tel"

# ---- hot-plug through the bus ---------------------------------------------
check "VFs created again" eval "echo 2 > $(dev "$VM_PF")/sriov_numvfs"
G0=$(group_of "$VF0")
tp_send vf "port attach sriov:$VF0,vf_token_file=$TOK"
check "port attach sriov:$VF0 probes it through the bus" \
	tp_wait vf "Port [0-9]+ is attached" 60
check "hot-plugged port is a net_e1000_igb_vf on the sriov bus" \
	grep -q "sriov: sriov:$VF0: probe PCI driver net_e1000_igb_vf" "$(tp_log vf)"
check "VF process holds group $G0 again" holds_group "$VFPID" "$G0"
telemetry vf /sriov/list >"$OUTDIR/list-after-attach.tel" 2>&1
sed 's/^/  | telemetry: /' "$OUTDIR/list-after-attach.tel"
check "telemetry lists sriov:$VF0" \
	grep -q "\"sriov:$VF0\"" "$OUTDIR/list-after-attach.tel"
port=$(sed -n 's/^Port \([0-9]*\) is attached.*/\1/p' "$(tp_log vf)" | tail -n 1)
detached=$(tp_count vf "Device is detached")
tp_send vf "port stop $port"
tp_send vf "port close $port"
tp_send vf "port detach $port"
check "port detach releases it" \
	tp_wait_count vf "Device is detached" $((detached + 1)) 30
sleep 1
check "VF process holds no fd of group $G0 after detach" \
	holds_no_group "$VFPID" "$G0"

tp_stop vf
check "VF testpmd exits cleanly" test $? = 0
tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
tp_stop_all
set_num_vfs "$VM_PF" 0
finish
