#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Stage 2 of the VM rig's guest: PID 1 after switch_root into the host root
# (stage 1, initramfs-init, mounted everything).  No udev, no systemd: read
# the run description the host wrote into the scratch share (run.env), run
# the scenario, write its exit status to the scratch share and power off.
#
# Markers on the console, parsed by run.sh:
#   VFTOKEN-VM: scenario start <name>
#   VFTOKEN-VM: scenario end rc=<n>
#   VFTOKEN-VM: stage2 failed: <why>
#   VFTOKEN-VM: alive <uptime> timer <n0> <n1>...
#                                   every 10 s while the scenario runs; n
#                                   is each vCPU's local timer interrupt
#                                   count ("LOC:" in /proc/interrupts)

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

# A FIFO nobody writes to: poweroff_now blocks on it.
hold_fd=
mkfifo /run/vftoken-hold && exec {hold_fd}<>/run/vftoken-hold

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	# PID 1 must not exit (that panics); wait for the power to go with
	# builtins only: the power-off tears down 9p, so no more exec's.
	[ -n "$hold_fd" ] || exit 1 # no FIFO: exit, panic=-1 ends QEMU too
	while :; do
		read -r -t 60 -u "$hold_fd" _
	done
}

fail() {
	echo "VFTOKEN-VM: stage2 failed: $*"
	poweroff_now
}

env_file=/mnt/scratch/run.env
[ -r "$env_file" ] || fail "no $env_file from the host"
# run.env is written by run.sh: VM_* / VFTOKEN_* assignments and the
# VM_ARGS array, quoted with printf %q.
# shellcheck source=/dev/null
. "$env_file"

VM_KERNEL=$(uname -r)
VM_SCRATCH=/mnt/scratch
export VM_PF VM_PF2 VM_PF_WIRE VM_VIRTIO VM_NOSRIOV_NIC VM_SCRATCH VFTOKEN_ROOT VFTOKEN_BUILD \
	VM_KERNEL VM_SCENARIO
script="$VFTOKEN_ROOT/devtools/vm/scenarios/$VM_SCENARIO.sh"
[ -r "$script" ] || fail "no scenario $script"

cd /tmp || fail "cd /tmp"

# Each vCPU's local timer interrupt count into $timers, builtins only and
# no subshell: the "LOC:" row of /proc/interrupts (arch/x86/kernel/irq.c),
# one column per online CPU. run.sh tells a vCPU whose timer stopped by it
# (doc/guides/vm_rig.rst, "Half a guest frozen").
timer_counts() {
	local f n
	timers=
	while read -r -a f; do
		[ "${f[0]}" = LOC: ] || continue
		for n in "${f[@]:1}"; do
			[[ $n =~ ^[0-9]+$ ]] || break
			timers+=" $n"
		done
		break
	done </proc/interrupts
}
# The heartbeat run.sh watches (a frozen guest is not a test result):
# builtins only, so no exec and no 9p; it sleeps on the hold FIFO.
if [ -n "$hold_fd" ]; then
	while :; do
		read -r -t 10 -u "$hold_fd" _
		read -r up _ </proc/uptime
		timer_counts
		echo "VFTOKEN-VM: alive $up timer$timers"
	done &
fi
read -r up _ </proc/uptime
echo "VFTOKEN-VM: scenario start $VM_SCENARIO uptime $up"
# stdin from /dev/null: a scenario must never wait on the console.
bash "$script" "${VM_ARGS[@]}" </dev/null 2>&1 | tee "$VM_SCRATCH/scenario.log"
rc=${PIPESTATUS[0]}
echo "$rc" >"$VM_SCRATCH/exit-status"
echo "VFTOKEN-VM: scenario end rc=$rc"
poweroff_now
