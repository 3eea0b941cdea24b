#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Start-up cost of the auto-loaded sriov bus plugin (issue 12) in a DPDK
# process that uses no SR-IOV function: stock dpdk-testpmd started and
# quit at once (`echo quit | dpdk-testpmd ... -- -i`), with the plugin in
# DPDK's PMD directory (package dpdk-bus-sriov installed in the guest) and
# without it (the link moved away), interleaved ABBA, N runs of each, on
# two workloads: --no-pci --vdev net_null0, and -a of the rig's e1000e
# (PCI, no SR-IOV). Seconds from launch to exit, wall clock in the guest
# (TCG: the shared host's load shows in the spread). Nothing is asserted.
#
#   devtools/bench/autoload-startup.sh [RUNS]     default 5
#
# Needs the packages in $VFTOKEN_BUILD/pkg/debs (devtools/packages.sh
# builds them). Writes $VFTOKEN_BUILD/bench-autoload/startup.txt and
# summary.txt; prints the summary.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
RUNS=${1:-5}
DEBS=$BUILD/pkg/debs
OUT=$BUILD/bench-autoload

case "$RUNS" in
'' | *[!0-9]*) echo "autoload-startup.sh: RUNS '$RUNS' is not a number of runs" >&2; exit 2 ;;
esac
ls "$DEBS"/dpdk-bus-sriov_*.deb >/dev/null 2>&1 ||
	{ echo "autoload-startup.sh: no packages in $DEBS: run devtools/packages.sh --no-vm first" >&2; exit 1; }
mkdir -p "$OUT"
VFTOKEN_BUILD=$BUILD VFTOKEN_VM_SCRATCH=$OUT/scratch "$ROOT/devtools/vm/run.sh" \
	--kernel 6.1 --timeout 1500 packages "$DEBS" startup "$RUNS" >"$OUT/vm.log" 2>&1
rc=$?
cp "$OUT/scratch/packages-6.1/startup.txt" "$OUT/startup.txt" 2>/dev/null
grep -E '^ *\| *(startup:|  lines naming)' "$OUT/vm.log" | sed 's/^ *| //' | tee "$OUT/summary.txt"
grep -E '^ *\| *[0-9]+ passed, [0-9]+ failed' "$OUT/vm.log" | tail -n 1 | sed 's/^ *| //'
echo "command: devtools/bench/autoload-startup.sh $RUNS (raw runs in $OUT/startup.txt)"
exit $rc
