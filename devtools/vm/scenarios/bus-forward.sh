#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The sriov bus end to end: stock Debian dpdk-testpmd with the plugin
# (-d librte_bus_sriov.so) on the igb PF creates 2 VFs (num_vfs=2), sets
# the VF token from a 0600 file and runs DPDK's net_e1000_igb on the PF
# (kept idle: it serves the VF mailbox). A second testpmd opens both VFs
# through the plugin with the same token and mac-forwards between them
# (each port's peer is the other VF's MAC, start tx_first, ~10 s): link up,
# packets received on both ports. Then the same with the EAL option
# --vfio-vf-token instead of devargs, and each side mixed with stock DPDK
# (no plugin) on the other side. Tokens never appear in any log.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token
# 3 s: at the rig's ~100-500 kpps the RX > 0 checks see 10^5+ packets;
# a longer window proves nothing more (doc/guides/vm_rig.rst, run time).
FWD_SECS=${FWD_SECS:-3}

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, plugin $PLUGIN"
plugin_ready "$TOK"

# ---- PF through the plugin -------------------------------------------------
pf_helper "$TOK"

vf_forward vf-devargs -d "$PLUGIN" --log-level=bus.sriov:info \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK"
check "vf-devargs: VFs probed through the sriov bus" \
	test "$(tp_count vf-devargs "sriov: .*probe PCI driver net_e1000_igb_vf")" = 2

vf_forward vf-eal -d "$PLUGIN" --log-level=bus.sriov:info \
	--vfio-vf-token="$(cat "$TOK")" -a "$VF0" -a "$VF1"
check "vf-eal: token taken from --vfio-vf-token" \
	test "$(tp_count vf-eal "sriov: .*token fp:[0-9a-f]+ \(source eal\)")" = 2

vf_forward vf-stock --vfio-vf-token="$(cat "$TOK")" -a "$VF0" -a "$VF1"

tp_stop pf
check "PF testpmd exits cleanly" test $? = 0
check "PF: the token is not in the log" token_not_in "$(tp_log pf)" "$TOK"

# ---- stock PF, VFs through the plugin -------------------------------------
# The VFs stay after the plugin's PF process; stock DPDK sets the token by
# opening the PF with vf_token= while no VF is open.
tp_start pf-stock -l 0,1 --file-prefix pf-stock -a "$VM_PF" \
	--vfio-vf-token="$(cat "$TOK")" -- -i --total-num-mbufs=$MBUFS
check "stock PF testpmd starts" tp_wait pf-stock 'testpmd> ' 180
vf_forward vf-on-stock-pf -d "$PLUGIN" --log-level=bus.sriov:info \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK"
tp_stop pf-stock

tp_stop_all
set_num_vfs "$VM_PF" 0
finish
