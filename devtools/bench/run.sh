#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The forwarding benchmark: stock DPDK vs the sriov bus plugin, in one VM.
#
# usage: run.sh [--quick] [--rounds N] [--secs S] [--warm S] [--profile]
#               [--out DIR] [--no-doc]
#
# Boots the VM rig once (kernel 6.1, TCG, 2 vCPUs; devtools/vm/README.md)
# and runs scenario "bench" in it (devtools/vm/scenarios/bench.sh): N rounds
# (default 5) alternating ABBA between stock (vftoken CLI + DPDK's pci bus
# with --vfio-vf-token) and ours (librte_bus_sriov.so on the PF with
# num_vfs=2,vf_token_file= and on the VFs with vf_token_file=), each with PF
# io forwarding over the loopback wire and VF-to-VF mac and io forwarding,
# S-second windows (default 10) after a warm-up (default 2 s).
#
# Writes DIR/results.json and DIR/results.png (default DIR: build/bench),
# then, unless --no-doc or --quick, doc/guides/benchmark.rst (report.py)
# with the chart copied to doc/guides/img/bench.png. Ends with check.py's
# validation of the files; the last line is "bench: N passed, N failed",
# the scenario's checks (runs working, tokens in no log) plus check.py's.
#
# --quick: 1 round, 3 s windows, 1 s warm-up, VF mac forwarding only, into
# build/bench-quick (the smoke mode devtools/test.sh runs).
# --profile: one more mac window per mode in the last round under perf
# (cpu-clock); reports by DSO and symbol in DIR/logs/perf-*.
#
# A benchmark, not a test: nothing here asserts a timing.
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# the command as given, for the results (before the options are consumed)
cmd="devtools/bench/run.sh${*:+ $*}"
if [ -n "${VFTOKEN_BUILD:-}" ] && [ "$VFTOKEN_BUILD" != "$ROOT/build" ]; then
	cmd="VFTOKEN_BUILD=$VFTOKEN_BUILD $cmd"
fi
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rounds=5
secs=10
warm=2
quick=0
profile=0
doc=1
out=

die() {
	echo "bench: error: $*" >&2
	exit 2
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--rounds)
		rounds=${2:-}
		shift
		;;
	--secs)
		secs=${2:-}
		shift
		;;
	--warm)
		warm=${2:-}
		shift
		;;
	--profile) profile=1 ;;
	--out)
		out=${2:-}
		shift
		;;
	--no-doc) doc=0 ;;
	-h | --help)
		sed -n 's/^# usage: /usage: /p; s/^#  \{14\}/              /p' "${BASH_SOURCE[0]}" | head -n 2
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
export VFTOKEN_BUILD=${VFTOKEN_BUILD:-$ROOT/build}
is_uint "$rounds" || die "--rounds '$rounds' is not a positive number"
is_uint "$secs" || die "--secs '$secs' is not a positive number of seconds"
is_uint "$warm" || die "--warm '$warm' is not a positive number of seconds"

if [ "$quick" = 1 ]; then
	rounds=1 secs=3 warm=1 doc=0
	out=${out:-$ROOT/build/bench-quick}
	scen_args=(--quick)
	nmodes=1
else
	out=${out:-$ROOT/build/bench}
	scen_args=(--rounds "$rounds" --secs "$secs" --warm "$warm")
	nmodes=2
fi
[ "$profile" = 1 ] && scen_args+=(--profile)

# matplotlib is Debian's python3-matplotlib: use the system python
PY=python3
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null && PY=/usr/bin/python3

for f in "$VFTOKEN_BUILD/drivers/bus/sriov/librte_bus_sriov.so" "$VFTOKEN_BUILD/app/vftoken/vftoken"; do
	[ -e "$f" ] || die "$f is not built (ninja -C $VFTOKEN_BUILD)"
done
mkdir -p "$out" || die "cannot create $out"
rm -rf "$out/logs" "$out/results.json" "$out/results.png" "$out/bench.tsv"

# Per mode and round: set-up and start-ups ~30 s, then one PF window and a
# VF window per forwarding mode, each warm + secs + ~8 s; a profile ~40 s.
# Allow double that, plus boot and the warm-up.
per_mode=$((30 + (1 + nmodes) * (warm + secs + 8) + 40 * profile))
timeout=$((120 + 2 * rounds * 2 * per_mode))
echo "bench: $rounds round(s), ${secs}s windows, ${warm}s warm-up -> $out (VM timeout ${timeout}s)"

# The host's load is not under our control (2 cores; other work may run):
# its CPU counters and load average around the VM go into the results.
host_load() { echo "$1 $(date +%s.%N) $(head -n 1 /proc/stat) $(cut -d' ' -f1-3 /proc/loadavg)"; }
host_load start >"$out/host-load.txt"
scratch=$out/vm-scratch
VFTOKEN_VM_OUT=$out/vm VFTOKEN_VM_SCRATCH=$scratch \
	"$ROOT/devtools/vm/run.sh" --kernel 6.1 --timeout "$timeout" bench "${scen_args[@]}" |
	tee "$out/vm.log"
vm_rc=${PIPESTATUS[0]}
host_load end >>"$out/host-load.txt"
tsv=$scratch/bench-6.1/bench.tsv
vm_line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed' "$out/vm.log" | tail -n 1)
vm_pass=$(echo "$vm_line" | awk '{ print $2 + 0 }')
vm_fail=$(echo "$vm_line" | awk '{ print $4 + 0 }')
[ "$vm_rc" != 0 ] && [ "$vm_fail" = 0 ] && vm_fail=1

if [ -s "$tsv" ]; then
	cp "$tsv" "$out/bench.tsv"
	cp -r "$scratch/bench-6.1/logs" "$out/logs" 2>/dev/null
	col_args=(--png "$out/results.png" --command "$cmd" --date "$started"
		--host-load "$out/host-load.txt")
	[ "$quick" = 1 ] && col_args+=(--quick)
	$PY "$HERE/collect.py" "$out/bench.tsv" "$out/results.json" "${col_args[@]}" ||
		echo "bench: collect.py failed"
else
	echo "bench: no figures from the VM ($tsv)"
fi

rst_args=()
if [ "$doc" = 1 ] && [ -s "$out/results.json" ]; then
	mkdir -p "$ROOT/doc/guides/img"
	if cp "$out/results.png" "$ROOT/doc/guides/img/bench.png" &&
		$PY "$HERE/report.py" "$out/results.json" >"$ROOT/doc/guides/benchmark.rst.tmp"; then
		mv "$ROOT/doc/guides/benchmark.rst.tmp" "$ROOT/doc/guides/benchmark.rst"
		echo "bench: wrote doc/guides/benchmark.rst and doc/guides/img/bench.png"
		rst_args=(--rst "$ROOT/doc/guides/benchmark.rst")
	else
		rm -f "$ROOT/doc/guides/benchmark.rst.tmp"
		echo "bench: report.py failed"
	fi
fi

$PY "$HERE/check.py" "$out/results.json" --png "$out/results.png" "${rst_args[@]}" |
	tee "$out/check.log"
chk_line=$(tail -n 1 "$out/check.log")
chk_pass=$(echo "$chk_line" | awk '{ print $1 + 0 }')
chk_fail=$(echo "$chk_line" | awk '{ print $3 + 0 }')
if [ -s "$out/results.json" ]; then
	$PY - "$out/results.json" <<'PY'
import json
import sys

h = json.load(open(sys.argv[1]))['headline']
def f(v, fmt='%.3f'):
    return fmt % v if isinstance(v, (int, float)) else 'n/a'
print('bench: ours/stock forwarding: VF mac %s, VF io %s, PF io %s'
      % tuple(f(h['forwarding_ratio'][k]) for k in ('vf_mac', 'vf_io', 'pf_io')))
print('bench: ours/stock start-up to first packet: VF %s, PF %s; VFs+token+PF ready %s'
      % tuple(f(h['startup_ratio'][k]) for k in ('vf_first_rx', 'pf_first_rx', 'pf_path_ready')))
for k, c in h['cycles_per_packet'].items():
    if c:
        print('bench: cycles/packet %s: stock %s, ours %s'
              % (k, f(c['stock'], '%.0f'), f(c['ours'], '%.0f')))
PY
fi
echo "bench: $((vm_pass + chk_pass)) passed, $((vm_fail + chk_fail)) failed"
[ $((vm_fail + chk_fail)) = 0 ]
