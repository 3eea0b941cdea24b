#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The rig's machine, sourced by run.sh: the accelerator, the devices on
# QEMU's command line and the addresses the guest sees them at. Owns the
# topology's state (second_pf, pf_hub, virtio_net, accel, tcg_thread, set
# by run.sh's options; the wires' UDP ports); lib/boot.sh asks it for the
# guest's environment (topo_env) and the command line (topo_qemu_args).
#
# Guest PCI topology (fixed by the explicit root-port slots below; the guest
# firmware numbers the buses in slot order):
#   00:02.0 pcie-root-port -> 0000:01:00.0 igb (82576, 8086:10c9)  VM_PF
#                             VFs 0000:01:10.0, 01:10.2, ... (8086:10ca)
#   00:03.0 pcie-root-port -> 0000:02:00.0 e1000e (8086:10d3)      VM_NOSRIOV_NIC
#   00:04.0 pcie-root-port -> 0000:03:00.0 igb (--second-pf)       VM_PF2
#                             VFs 0000:03:10.0, ...
#   00:06.0 virtio-net-pci, modern only (--virtio-net)             VM_VIRTIO
#   00:08.0 virtio-9p "hostroot", 00:09.0 virtio-9p "scratch"
# Every NIC's wire is a UDP socket sending to its own port on 127.0.0.1
# (a loopback wire), a free port per NIC and run. --pf-hub (implies
# --second-pf) instead joins the two igb PFs' wires in one QEMU hub: what
# one PF sends the other receives, inside QEMU, with no host socket on the
# way (VM_PF_WIRE=hub in the guest; loopback otherwise).
# shellcheck disable=SC2154 # run.sh's say and scenario

VM_PF=0000:01:00.0
VM_NOSRIOV_NIC=0000:02:00.0
VM_PF2=0000:03:00.0
VM_VIRTIO=0000:00:06.0

accel=tcg
# --accel tcg: single- or multi-threaded TCG; empty: per kernel (tcg_thread_for)
tcg_thread=${VM_TCG_THREAD:-}
tcg_single_again=0
second_pf=0
pf_hub=0
virtio_net=0

# topo_check: the accelerator options are ones QEMU and the rig know.
topo_check() {
	case $accel in
	# tcg: the thread mode comes per kernel (tcg_thread_for); icount:
	# single-threaded TCG with virtual time from the instruction count
	# (1 instruction = 2^VM_ICOUNT_SHIFT ns), for the benchmark
	# (devtools/bench)
	tcg | icount | kvm) ;;
	*) die "unknown accelerator '$accel' (expected tcg, icount or kvm)" ;;
	esac
	case $tcg_thread in
	'' | single | multi) ;;
	*) die "unknown TCG thread mode '$tcg_thread' (expected single or multi)" ;;
	esac
	[ -z "$tcg_thread" ] || [ "$accel" = tcg ] ||
		die "--tcg-thread applies to --accel tcg only (icount is single-threaded, kvm has no TCG)"
	if [ "$accel" = kvm ] && [ ! -w /dev/kvm ]; then
		die "--accel kvm: /dev/kvm is not usable"
	fi
	"$QEMU" -device help 2>/dev/null | grep -q '"igb"' ||
		die "$QEMU has no 'igb' device (QEMU >= 8.0 needed)"
}

# QEMU 10.0's multi-threaded TCG races with the guest's changes of the
# memory map (a vCPU's MMIO through a TLB entry of the old map while another
# vCPU moves BARs): it aborts in iotlb_to_section or sends the access to the
# wrong device, and the guest hangs.  Debian's 7.2 kernel hits it in most
# runs, so its runs use single-threaded TCG (round-robin vCPUs in one
# thread, no concurrent vCPU); doc/guides/vm_rig.rst, "QEMU's memory-map
# race", has the evidence and the cost.  The rig's own 7.2-iommufd kernel
# froze the same way in the VFIO path benchmark (bench-paths: the guest
# stopped for good as a VF testpmd exited and vfio-pci reset its VFs), so
# it runs single-threaded too, and so do conformance and bus-errors on
# every kernel (their checks change the memory map all the time:
# conformance's functions enabled and rebound, bus-errors' VFs reset in
# bursts) and a scenario's second run after a freeze or an abort
# (tcg_single_again; vm_rig.rst has the evidence for each).  $1: the
# kernel.
tcg_thread_for() {
	if [ -n "$tcg_thread" ]; then
		echo "$tcg_thread"
	elif [ "$tcg_single_again" = 1 ] || [ "$scenario" = conformance ] ||
		[ "$scenario" = bus-errors ]; then
		echo single
	else
		case $1 in
		7.2 | 7.2-iommufd) echo single ;;
		*) echo multi ;;
		esac
	fi
}

# The -accel argument for kernel $1.
accel_opt_for() {
	case $accel in
	tcg) echo "tcg,thread=$(tcg_thread_for "$1")" ;;
	icount) echo "tcg,thread=single" ;;
	kvm) echo kvm ;;
	esac
}

# The guest's view of the topology, as run.env lines (guest-init.sh).
topo_env() {
	printf 'VM_PF=%q\nVM_NOSRIOV_NIC=%q\n' "$VM_PF" "$VM_NOSRIOV_NIC"
	printf 'VM_PF2=%q\n' "$([ "$second_pf" = 1 ] && echo "$VM_PF2")"
	printf 'VM_PF_WIRE=%s\n' "$([ "$pf_hub" = 1 ] && echo hub || echo loopback)"
	printf 'VM_VIRTIO=%q\n' "$([ "$virtio_net" = 1 ] && echo "$VM_VIRTIO")"
}

# A UDP port nobody on this host is bound to.
free_udp_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		[ -z "$(ss -Huan "sport = :$p" 2>/dev/null)" ] && echo "$p" && return 0
	done
	return 1
}

# A NIC's loopback wire: netdev ID on a free UDP port of its own.
topo_wire() {
	local port
	port=$(free_udp_port) || return 1
	echo "socket,id=$1,udp=127.0.0.1:$port,localaddr=127.0.0.1:$port"
}

# topo_qemu_args KERNEL ROOT SCRATCH: sets qemu_args to the machine, its
# accelerator and its devices for KERNEL, the 9p shares of the guest's
# root file system ROOT and of SCRATCH included.
topo_qemu_args() {
	local n1 n2 n3
	# A hub forwards a frame to every port but the one it came in by: with
	# the two PFs as its only ports, each is the other's wire. The hub
	# hands a frame to the receiving NIC in the sender's own TX (or queues
	# it until that NIC posts RX buffers), in QEMU's time, not the host's.
	if [ "$pf_hub" = 1 ]; then
		n1=hubport,id=n1,hubid=0 n3=hubport,id=n3,hubid=0
	else
		n1=$(topo_wire n1) && n3=$(topo_wire n3) || return 1
	fi
	n2=$(topo_wire n2) || return 1
	# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
	qemu_args=(
		-accel "$(accel_opt_for "$1")" -cpu max,phys-bits=36 -m 2048 -smp 2
		-machine q35,kernel-irqchip=split -nodefaults -display none
		-device intel-iommu,intremap=on,caching-mode=on
		-fsdev "local,id=hostroot,path=$2,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,bus=pcie.0,addr=0x8"
		-fsdev "local,id=scratch,path=$3,security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=scratch,mount_tag=scratch,bus=pcie.0,addr=0x9"
		-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x2
		-netdev "$n1" -device igb,netdev=n1,bus=rp1
		-device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=0x3
		-netdev "$n2" -device e1000e,netdev=n2,bus=rp2
	)
	# shellcheck disable=SC2054
	[ "$second_pf" = 1 ] && qemu_args+=(
		-device pcie-root-port,id=rp3,chassis=3,bus=pcie.0,addr=0x4
		-netdev "$n3" -device igb,netdev=n3,bus=rp3
	)
	# A PCI function whose DPDK driver (net_virtio) maps it through EAL.
	# shellcheck disable=SC2054
	[ "$virtio_net" = 1 ] && qemu_args+=(
		-device virtio-net-pci,disable-legacy=on,bus=pcie.0,addr=0x6
	)
	[ "$accel" = icount ] && qemu_args+=(-icount "shift=${VM_ICOUNT_SHIFT:-4}")
	return 0
}
