#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Stage 2 of the VM rig's guest, PID 1 after switch_root into the host root
# (read-only 9p under a tmpfs overlay, see initramfs-init).  No udev, no
# systemd: mount what a DPDK/VFIO test needs, make the guest kernel's modules
# visible at /lib/modules/<uname -r> (the host has none for it), read the run
# description the host wrote into the scratch share (run.env), run the
# scenario, write its exit status to the scratch share and power off.
#
# Markers on the console, parsed by run.sh:
#   VFTOKEN-VM: scenario start <name>
#   VFTOKEN-VM: scenario end rc=<n>
#   VFTOKEN-VM: stage2 failed: <why>

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	# PID 1 must not exit (that panics); wait for the power to go with
	# builtins only: the power-off tears down 9p, so no more exec's.
	[ -n "${hold_fd:-}" ] || exit 1 # too early for the FIFO: panic=-1 ends QEMU
	while :; do
		read -r -t 60 -u "$hold_fd" _
	done
}

fail() {
	echo "VFTOKEN-VM: stage2 failed: $*"
	poweroff_now
}

mnt() {
	mkdir -p "${!#}"
	mount "$@" || fail "mount $*"
}

mnt -t tmpfs -o mode=0755 run /run
# A FIFO nobody writes to: poweroff_now blocks on it.
mkfifo /run/vftoken-hold && exec {hold_fd}<>/run/vftoken-hold
mnt -t proc proc /proc
mnt -t sysfs sysfs /sys
mnt -t devtmpfs devtmpfs /dev
# What udev would create: bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mnt -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mnt -t tmpfs -o mode=1777 shm /dev/shm
mnt -t tmpfs -o mode=1777 tmp /tmp
mnt -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages
mnt -t 9p -o trans=virtio,version=9p2000.L,msize=262144 scratch /mnt/scratch
[ -e /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

env_file=/mnt/scratch/run.env
[ -r "$env_file" ] || fail "no $env_file from the host"
# run.env is written by run.sh: VM_* / VFTOKEN_* assignments and the
# VM_ARGS array, quoted with printf %q.
# shellcheck source=/dev/null
. "$env_file"

kver=$(uname -r)
[ -d "$VM_KMODDIR/$kver" ] || fail "modules for $kver not at $VM_KMODDIR/$kver"
mnt --bind "$VM_KMODDIR/$kver" "/lib/modules/$kver"

# The project tree is the host's: keep it read-only so that a scenario writing
# into it fails loudly instead of writing into the overlay's tmpfs.
mount --bind "$VFTOKEN_ROOT" "$VFTOKEN_ROOT" || fail "bind $VFTOKEN_ROOT"
mount -o remount,bind,ro "$VFTOKEN_ROOT" || fail "read-only remount of $VFTOKEN_ROOT"

# 2 MB hugepages reserved here rather than with hugepages= on the kernel
# command line: the boot-time reservation costs seconds under TCG.
echo "VFTOKEN-VM: hugepages uptime $(cut -d' ' -f1 /proc/uptime)"
echo "$VM_HUGEPAGES" >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
echo "VFTOKEN-VM: hugepages done uptime $(cut -d' ' -f1 /proc/uptime)"
hostname vftoken-vm
ip link set lo up 2>/dev/null

export VM_PF VM_PF2 VM_NOSRIOV_NIC VM_SCRATCH=/mnt/scratch VFTOKEN_ROOT \
	VFTOKEN_BUILD VM_KERNEL="$kver" VM_SCENARIO
script="$VFTOKEN_ROOT/devtools/vm/scenarios/$VM_SCENARIO.sh"
[ -r "$script" ] || fail "no scenario $script"

cd /tmp || fail "cd /tmp"
echo "VFTOKEN-VM: scenario start $VM_SCENARIO uptime $(cut -d' ' -f1 /proc/uptime)"
# stdin from /dev/null: a scenario must never wait on the console.
bash "$script" "${VM_ARGS[@]}" </dev/null 2>&1 | tee "$VM_SCRATCH/scenario.log"
rc=${PIPESTATUS[0]}
echo "$rc" >"$VM_SCRATCH/exit-status"
echo "VFTOKEN-VM: scenario end rc=$rc"
poweroff_now
