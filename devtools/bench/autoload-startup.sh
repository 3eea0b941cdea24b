#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Start-up cost of the auto-loaded sriov bus plugin (issue 12) in a DPDK
# process that uses no SR-IOV function: stock dpdk-testpmd started and
# quit at once (`echo quit | dpdk-testpmd ... -- -i`), with the plugin in
# DPDK's PMD directory (package dpdk-bus-sriov installed in the guest) and
# without it (the link moved away), interleaved ABBA, N rounds of each, on
# two workloads: --no-pci --vdev net_null0, and -a of the rig's e1000e
# (PCI, no SR-IOV). Seconds from launch to exit, wall clock in the guest
# (TCG: the shared host's load shows in the spread). No timing is
# asserted; the scenario's checks are that the plugin changes nothing
# else in those processes (no line of the bus, the same pci probe, -b).
#
#   devtools/bench/autoload-startup.sh [--publish] [ROUNDS]    default 5
#   devtools/bench/autoload-startup.sh --report-only [--publish]
#
# --report-only boots nothing: it reports (and publishes) the last run's
# $VFTOKEN_BUILD/bench-autoload/ again.
#
# Needs the packages in $VFTOKEN_BUILD/pkg/debs (devtools/packages.sh
# --no-vm builds them). Writes $VFTOKEN_BUILD/bench-autoload/startup.txt
# and summary.txt and prints the ratios auto/none with their 95 %
# intervals (autoload-report.py); --publish also writes
# doc/guides/bench_autoload.rst, the sentence install.rst includes
# (doc/guides/bench/autoload_summary.inc) and the raw runs
# (doc/guides/bench/samples/autoload-startup.txt).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
KERNEL=6.1
publish=0
report_only=0
RUNS=5
for a in "$@"; do
	case "$a" in
	--publish) publish=1 ;;
	--report-only) report_only=1 ;;
	-h | --help) sed -n '5,28p' "$0"; exit 0 ;;
	*) RUNS=$a ;;
	esac
done
DEBS=$BUILD/pkg/debs
OUT=$BUILD/bench-autoload
die() { echo "autoload-startup.sh: $*" >&2; exit 1; }

case "$RUNS" in
'' | *[!0-9]* | 0) echo "autoload-startup.sh: ROUNDS '$RUNS' is not a number of rounds (>= 1; options: --publish, --report-only)" >&2; exit 2 ;;
esac

run_vm() {
	ls "$DEBS"/dpdk-bus-sriov_*.deb >/dev/null 2>&1 ||
		die "no packages in $DEBS: run devtools/packages.sh --no-vm first"
	mkdir -p "$OUT"
	rm -f "$OUT/startup.txt" "$OUT/vm.log"
	echo "autoload-startup: $RUNS rounds x 2 workloads x 2 variants in the VM (log $OUT/vm.log)"
	VFTOKEN_BUILD=$BUILD VFTOKEN_VM_SCRATCH=$OUT/scratch "$ROOT/devtools/vm/run.sh" \
		--kernel "$KERNEL" --all-pmds --timeout 1500 packages "$DEBS" startup "$RUNS" >"$OUT/vm.log" 2>&1
}

# ROUNDS of the run in startup.txt (--report-only publishes what it holds)
rounds_of() { awk '{ print $2 + 1 }' "$1" | sort -n | tail -n 1; }

[ "$report_only" = 1 ] || run_vm
[ -f "$OUT/vm.log" ] || die "no $OUT/vm.log: run without --report-only first"
cp "$OUT/scratch/packages-$KERNEL/startup.txt" "$OUT/startup.txt" 2>/dev/null
grep -E '^ *\| *(startup:|PASS|FAIL)' "$OUT/vm.log" | sed 's/^ *| //' | tee "$OUT/summary.txt"
checks=$(grep -E '^ *\| *[0-9]+ passed, [0-9]+ failed' "$OUT/vm.log" | tail -n 1 | sed 's/^ *| //')
echo "${checks:-no result line from the scenario}"
[ -s "$OUT/startup.txt" ] || die "no startup.txt from the VM (see $OUT/vm.log)"
rc=0
case "$checks" in
*' passed, 0 failed') grep -q 'scenario: exit status 0 ' "$OUT/vm.log" || rc=1 ;;
*) rc=1 ;;
esac
RUNS=$(rounds_of "$OUT/startup.txt")
cmd="devtools/bench/autoload-startup.sh --publish $RUNS"
doc=()
if [ "$publish" = 1 ]; then
	if [ "$rc" != 0 ]; then
		echo "autoload-startup.sh: the scenario failed: nothing published" >&2
	else
		mkdir -p "$ROOT/doc/guides/bench/samples"
		doc=(--doc "$ROOT/doc/guides/bench_autoload.rst"
			--summary "$ROOT/doc/guides/bench/autoload_summary.inc"
			--samples "$ROOT/doc/guides/bench/samples/autoload-startup.txt")
	fi
fi
python3 "$ROOT/devtools/bench/autoload-report.py" "$OUT/startup.txt" "${doc[@]}" \
	--command "$cmd" --checks "$checks" --kernel "$KERNEL" \
	--date "$(date -u -r "$OUT/startup.txt" +%F)" \
	--vm-secs "$(sed -n 's/.*total in QEMU \([0-9.]*\) s.*/\1/p' "$OUT/vm.log" | tail -n 1)" \
	--dpdk "$(dpkg-query -W -f='${Version}' dpdk 2>/dev/null)" | tee -a "$OUT/summary.txt" || rc=1
echo "command: $cmd (raw runs in $OUT/startup.txt)"
exit $rc
