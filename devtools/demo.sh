#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The main job: install and build (devtools/setup.sh), boot the VM rig (real
# kernel, emulated 82576 with SR-IOV, emulated IOMMU), create VFs on the
# vfio-pci PF, set a VF token, show a VF open refused without it and
# accepted with it, forward VF-to-VF with testpmd (stock DPDK, then the
# sriov bus plugin on both sides) and print a summary.
#
#   devtools/demo.sh [--kernel 6.1|6.12|7.2] [--accel tcg|kvm]
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
export VFTOKEN_BUILD="$BUILD"
kernel=6.1
accel=tcg
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--accel) accel=$2; shift ;;
	-h|--help) sed -n '3,11p' "$0"; exit 0 ;;
	*) echo "demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

"$ROOT/devtools/setup.sh"
rc=0
"$ROOT/devtools/vm/run.sh" --kernel "$kernel" --accel "$accel" demo || rc=$?
out=${VFTOKEN_VM_OUT:-$BUILD/vm}
scratch=${VFTOKEN_VM_SCRATCH:-$out/scratch}/demo-$kernel
echo
# The guest's steps were streamed above; its summary again, on its own.
[ -r "$scratch/summary.txt" ] && cat "$scratch/summary.txt"
[ "$rc" = 0 ] && echo "demo: done (logs in $scratch)" ||
	echo "demo: FAILED with status $rc (logs in $scratch)"
exit "$rc"
