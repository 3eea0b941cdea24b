#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# VM scenario: the kernel VF-token conformance suite
# (app/test-vftoken-kernel) against the guest kernel. Runs as root inside the
# rig's guest (devtools/vm/run.sh conformance). Extra arguments are passed to
# the suite (e.g. --only vf-no-token). Output is teed to
# $VM_SCRATCH/conformance.txt; the exit status is the suite's.
set -u

: "${VM_PF:?VM_PF not set (run through devtools/vm/run.sh)}"
: "${VM_NOSRIOV_NIC:?VM_NOSRIOV_NIC not set}"
: "${VM_SCRATCH:?VM_SCRATCH not set}"
: "${VFTOKEN_BUILD:?VFTOKEN_BUILD not set}"

bin=$VFTOKEN_BUILD/app/test-vftoken-kernel/test-vftoken-kernel
if [ ! -x "$bin" ]; then
	echo "conformance: $bin not built (ninja -C $VFTOKEN_BUILD)" >&2
	exit 1
fi

out=$VM_SCRATCH/conformance.txt
echo "# conformance on kernel ${VM_KERNEL:-$(uname -r)} ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
"$bin" --pf "$VM_PF" --other "$VM_NOSRIOV_NIC" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# The kernel's own view of what happened (vfio-pci's rate-limited token
# messages, driver binds), for whoever reads a failure.
dmesg | grep -Ei 'vfio|vf token|sr-iov|pf-stub|igb' | tail -n 60 >"$VM_SCRATCH/dmesg-vfio.txt" 2>/dev/null
exit "$rc"
