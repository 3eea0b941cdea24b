#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# What the bus promises about its place among DPDK's buses
# (doc/guides/bus_sriov.rst), with stock Debian dpdk-testpmd, the real
# vfio-pci and the rig's NICs (run with --virtio-net):
# - its devices are listed by EAL's device iteration (testpmd's
#   "show device info all" walks RTE_DEV_FOREACH per bus), and a
#   bus=sriov,name= filter finds one;
# - VFTOKEN_SRIOV_BUS=off keeps the plugin out of a process: the pci bus
#   opens the VFs as stock DPDK does;
# - a function whose driver maps devices through EAL (net_virtio) is
#   refused with a clear message when named for the bus, leaving no VFIO
#   group of it open, and works through the pci bus when it is not.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

TOK=/tmp/vf-token

# shellcheck disable=SC2153 # from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, virtio-net ${VM_VIRTIO:-none}, plugin $PLUGIN"
check "rig started with --virtio-net" test -n "${VM_VIRTIO:-}"
plugin_ready "$TOK"

check "PF testpmd with the plugin starts" pf_start pf "$TOK" 2

# ---- device iteration ------------------------------------------------------
tp_start vfs -d "$PLUGIN" -l 0,1 --file-prefix vfs \
	-a "$VF0,vf_token_file=$TOK" -a "$VF1,vf_token_file=$TOK" \
	-- -i --total-num-mbufs=$MBUFS
check "VF testpmd with the plugin starts" tp_wait vfs 'testpmd> ' 180
tp_send vfs "show device info all"
tp_wait vfs "Infos for device $VF1" 20
check "show device info all: both VFs on bus sriov" \
	test "$(grep -A1 -E "Infos for device ($VF0|$VF1) " "$(tp_log vfs)" |
		grep -c '^Bus name: sriov')" = 2
check "show device info all: VFs driven by net_e1000_igb_vf" \
	test "$(grep -A3 -E "Infos for device ($VF0|$VF1) " "$(tp_log vfs)" |
		grep -c '^Driver name: net_e1000_igb_vf')" = 2
tp_sync vfs
n=$(tp_count vfs 'Infos for device')
tp_send vfs "show device info bus=sriov,name=$VF1"
tp_sync vfs
check "bus=sriov,name=$VF1 lists that VF only" \
	test "$(($(tp_count vfs 'Infos for device') - n))" = 1
tp_stop vfs
check "VF testpmd exits cleanly" test $? = 0

# ---- keeping the bus out of a process --------------------------------------
VFTOKEN_SRIOV_BUS=off tp_start off -d "$PLUGIN" -l 0,1 --file-prefix off \
	--log-level=bus.sriov:info --vfio-vf-token="$(cat "$TOK")" \
	-a "$VF0" -a "$VF1" -- -i --total-num-mbufs=$MBUFS
check "VFTOKEN_SRIOV_BUS=off: testpmd starts" tp_wait off 'testpmd> ' 180
check "VFTOKEN_SRIOV_BUS=off: the bus says it claims nothing" \
	grep -q 'VFTOKEN_SRIOV_BUS=off: the sriov bus claims no device' "$(tp_log off)"
tp_send off "show device info all"
tp_wait off "Infos for device $VF1" 20
check "VFTOKEN_SRIOV_BUS=off: both VFs on the pci bus" \
	test "$(grep -A1 -E "Infos for device ($VF0|$VF1) " "$(tp_log off)" |
		grep -c '^Bus name: pci')" = 2
tp_stop off
check "VFTOKEN_SRIOV_BUS=off: testpmd exits cleanly" test $? = 0

# ---- a driver that maps through EAL ------------------------------------------
if [ -n "${VM_VIRTIO:-}" ]; then
	check "virtio-net $VM_VIRTIO bound to vfio-pci" bind_vfio "$VM_VIRTIO"
	vgroup=$(group_of "$VM_VIRTIO")
	tp_start vnamed -d "$PLUGIN" -l 0,1 --file-prefix vnamed \
		-a "sriov:$VM_VIRTIO" -- -i --total-num-mbufs=$MBUFS
	tp_wait vnamed 'testpmd> ' 180
	check "named for the bus: net_virtio refused with the reason" \
		grep -q "sriov: sriov:$VM_VIRTIO: PCI driver net_virtio maps devices through EAL's own VFIO container" \
		"$(tp_log vnamed)"
	check "named for the bus: no port, no crash" \
		tp_alive vnamed
	check "named for the bus: its group /dev/vfio/${vgroup:-(none found)} is not held" \
		holds_no_group "${TP_PID[vnamed]}" "$vgroup"
	tp_stop vnamed
	# Not named: the pci bus probes net_virtio on it, as stock DPDK does.
	# (The rig's virtio-net has no peer; testpmd's set-up of its queues
	# then waits forever under TCG, so only the probe is asserted.)
	tp_start vpci -d "$PLUGIN" -l 0,1 --file-prefix vpci \
		-a "$VM_VIRTIO" -- -i --total-num-mbufs=$MBUFS \
		--disable-device-start
	tp_wait vpci "EAL: Probe PCI driver: net_virtio" 180
	check "not named: the pci bus probes net_virtio on it" \
		grep -q "EAL: Probe PCI driver: net_virtio .* device: $VM_VIRTIO" "$(tp_log vpci)"
	check "not named: the sriov bus did not claim it" \
		sh -c "! grep -q 'sriov: .*$VM_VIRTIO' '$(tp_log vpci)'"
	# stuck in that set-up, it does not read "quit": 2 s, then SIGKILL
	tp_stop vpci 2
fi

tp_stop pf
for f in pf vfs off vnamed vpci; do
	[ -f "$(tp_log $f)" ] && check "$f: the token is not in the log" \
		token_not_in "$(tp_log $f)" "$TOK"
done
tp_stop_all
set_num_vfs "$VM_PF" 0
finish
