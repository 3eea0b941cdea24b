#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Smoke scenario for the VM rig: is the guest fit for SR-IOV + VFIO tests?
# The igb PF is where run.sh puts it, vfio-pci loads with enable_sriov=1, the
# PF binds to vfio-pci through driver_override, two VFs appear bound to
# vfio-pci (vfio-pci sets driver_override on VFs of a PF it owns) each in
# its own IOMMU group, hugepages and /dev/vfio are there, and the e1000e
# negative-case NIC has no SR-IOV capability.  One line per check, then a
# tally; exit status 1 if any check failed.

HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../lib/scenario.sh
. "$HERE/../lib/scenario.sh"

# $1 address, $2 expected "vendor:device" in hex without 0x.
pci_id_is() {
	local v d
	v=$(cat "$(dev "$1")/vendor" 2>/dev/null) || return 1
	d=$(cat "$(dev "$1")/device" 2>/dev/null) || return 1
	[ "${v#0x}:${d#0x}" = "$2" ] || {
		echo "  $1 is ${v#0x}:${d#0x}, expected $2"
		return 1
	}
}

vfs_ok() {
	local vf ok=0 expect=("${@:2}") got
	mapfile -t got < <(vfs_of "$1")
	[ "${got[*]}" = "${expect[*]}" ] || {
		echo "  VFs at ${got[*]}, expected ${expect[*]}"
		ok=1
	}
	for vf in "${got[@]}"; do
		pci_id_is "$vf" 8086:10ca || ok=1
		[ "$(driver_of "$vf")" = vfio-pci ] || {
			echo "  $vf driver is '$(driver_of "$vf")', expected vfio-pci"
			ok=1
		}
	done
	return $ok
}

# $1 expected number of functions, then the functions.
own_groups() {
	local f g groups=() n=$1
	shift
	[ "$#" = "$n" ] || {
		echo "  $# functions, expected $n"
		return 1
	}
	for f in "$@"; do
		g=$(group_of "$f")
		[ -n "$g" ] || {
			echo "  $f has no IOMMU group"
			return 1
		}
		groups+=("$g")
		echo "  $f: group $g"
	done
	[ "$(printf '%s\n' "${groups[@]}" | sort -u | wc -l)" = "$#" ] || {
		echo "  groups are shared"
		return 1
	}
}

# $1 expected number of functions, then the functions.
vfio_nodes() {
	local f n=$1
	shift
	[ "$#" = "$n" ] || {
		echo "  $# functions, expected $n"
		return 1
	}
	[ -c /dev/vfio/vfio ] || {
		echo "  no /dev/vfio/vfio"
		return 1
	}
	for f in "$@"; do
		[ -c "/dev/vfio/$(group_of "$f")" ] || {
			echo "  no /dev/vfio/$(group_of "$f") for $f"
			return 1
		}
	done
}

hugepages_ok() {
	local total
	total=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
	echo "  HugePages_Total=$total ($(awk '/^Hugepagesize:/ { print $2 $3 }' /proc/meminfo))"
	[ "${total:-0}" -ge 64 ] && grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts
}

# QEMU 10.0's igb decodes a VF's 64-bit BAR at its low 32 bits only, so VF
# MMIO works only if the guest placed the VF BARs below 4 GB (the reason for
# -cpu max,phys-bits=36 and <= 2 GB RAM in run.sh, doc/guides/vm_rig.rst).
vf_bars_low() {
	local vf start ok=0
	for vf in "$@"; do
		start=$(awk 'NR == 1 { print $1 }' "$(dev "$vf")/resource")
		echo "  $vf BAR0 at $start"
		[ $((start)) -gt 0 ] && [ $((start)) -lt $((1 << 32)) ] || ok=1
	done
	return $ok
}

# Every function has a vfio cdev: sysfs vfio-dev/vfioN and its node
# /dev/vfio/devices/vfioN with the same device number.
cdev_nodes() {
	local f name
	for f in "$@"; do
		name=$(ls "$(dev "$f")/vfio-dev" 2>/dev/null | head -n 1)
		[ -n "$name" ] || {
			echo "  $f has no vfio-dev/vfioN"
			return 1
		}
		[ -c "/dev/vfio/devices/$name" ] &&
			[ "$(stat -c '%t:%T' "/dev/vfio/devices/$name")" = \
				"$(awk -F: '{ printf "%x:%x", $1, $2 }' "$(dev "$f")/vfio-dev/$name/dev")" ] || {
			echo "  no /dev/vfio/devices/$name matching $f's vfio-dev/$name/dev"
			return 1
		}
		echo "  $f: /dev/vfio/devices/$name"
	done
}

no_sriov() {
	[ -e "$(dev "$1")" ] && [ ! -e "$(dev "$1")/sriov_totalvfs" ]
}

# shellcheck disable=SC2153 # VM_PF comes from run.sh's environment
echo "kernel $VM_KERNEL, PF $VM_PF, no-SR-IOV NIC $VM_NOSRIOV_NIC${VM_PF2:+, PF2 $VM_PF2}"
check "igb PF at $VM_PF is 8086:10c9" pci_id_is "$VM_PF" 8086:10c9
totalvfs() {
	local n
	n=$(cat "$(dev "$1")/sriov_totalvfs" 2>/dev/null) || n=0
	echo "  sriov_totalvfs=$n"
	[ "$n" -ge 2 ]
}
check "PF reports sriov_totalvfs >= 2" totalvfs "$VM_PF"
check "e1000e at $VM_NOSRIOV_NIC is 8086:10d3" pci_id_is "$VM_NOSRIOV_NIC" 8086:10d3
check "e1000e has no SR-IOV capability" no_sriov "$VM_NOSRIOV_NIC"
if [ -n "${VM_PF2:-}" ]; then
	check "second igb PF at $VM_PF2 is 8086:10c9" pci_id_is "$VM_PF2" 8086:10c9
fi
check "vfio-pci ready (modprobe enable_sriov=1, or built in)" vfio_setup
# (vfio_setup above already asserts enable_sriov=Y; this one is the
# container node the group path opens: misc major 10, VFIO_MINOR 196,
# include/linux/miscdevice.h)
check "/dev/vfio/vfio is the VFIO misc device (char 10:196)" \
	test "$(stat -c '%F %t:%T' /dev/vfio/vfio 2>/dev/null)" = "character special file a:c4"
check "PF binds to vfio-pci via driver_override" bind_vfio "$VM_PF"
check "echo 2 > sriov_numvfs creates 2 VFs" set_num_vfs "$VM_PF" 2
check "VFs at 0000:01:10.0 0000:01:10.2 are 8086:10ca on vfio-pci" \
	vfs_ok "$VM_PF" 0000:01:10.0 0000:01:10.2
mapfile -t vfs < <(vfs_of "$VM_PF")
check "PF and 2 VFs each in its own IOMMU group" own_groups 3 "$VM_PF" "${vfs[@]}"
check "VF BAR0s are below 4 GB" vf_bars_low "${vfs[@]}"
check "/dev/vfio/vfio and the 2 VF group nodes exist" vfio_nodes 2 "${vfs[@]}"
# The rig's own kernel (build-kernel.sh, vfio-pci built in) has IOMMUFD and
# the vfio cdev; Debian's kernels have neither.
if vfio_pci_builtin; then
	check "/dev/iommu exists (IOMMUFD)" test -c /dev/iommu
	check "PF and 2 VFs have a vfio cdev" cdev_nodes "$VM_PF" "${vfs[@]}"
fi
check "2 MB hugepages reserved and hugetlbfs at /dev/hugepages" hugepages_ok
check "echo 0 > sriov_numvfs removes the VFs" set_num_vfs "$VM_PF" 0

finish
