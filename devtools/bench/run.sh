#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The forwarding benchmark: stock DPDK vs the sriov bus plugin, in the VM rig.
#
# usage: run.sh [--quick] [--publish] [--rounds N] [--secs S] [--warm S]
#               [--pairs P] [--il-secs S] [--scale-rounds N] [--accel tcg|icount]
#               [--no-interleave] [--no-scale] [--profile] [--out DIR]
#               [--report-only]
#
# A full run boots the rig (kernel 6.1, 2 vCPUs; devtools/vm/README.md) three
# times, each with one scenario:
#   1. bench (devtools/vm/scenarios/bench.sh), --accel icount by default:
#      N rounds (default 5) alternating ABBA between stock (vftoken CLI +
#      DPDK's pci bus with --vfio-vf-token) and ours (librte_bus_sriov.so on
#      the PF with num_vfs=2,vf_token_file= and on the VFs with
#      vf_token_file=): start-up, PF io between the PF and a second PF
#      whose wires meet in a QEMU hub (--pf-hub), VF-to-VF mac and io,
#      S-second windows (default 10) after a warm-up (default 2 s);
#   2. bench --interleave P (plain multi-threaded TCG): the VF throughput of
#      both ways in P pairs (default 20) of alternating short windows
#      (--il-secs, default 2 s);
#   3. scale (devtools/vm/scenarios/scale.sh, --second-pf, icount): every
#      VF of two PFs, start-up for N = 1, 2, 4, 7, 14 and all, per-VF cost,
#      all VFs forwarding at once; --scale-rounds rounds (default 3).
# Every ratio ours / stock gets a 95 % confidence interval (stats.py).
#
# Writes DIR/results.json, DIR/results.png and the raw samples DIR/*.tsv
# (default DIR: build/bench). --publish then writes them into doc/:
# doc/guides/benchmark.rst (report.py), doc/guides/img/bench.png,
# doc/guides/bench/results.json and doc/guides/bench/samples/*.tsv, with
# this machine's paths replaced by clone-relative ones. Ends with check.py's
# validation of the files; the last line is "bench: N passed, N failed",
# the scenarios' checks (runs working, tokens in no log) plus check.py's.
#
# --quick: phase 1 only, plain TCG, 1 round, 3 s windows, 1 s warm-up, VF
# mac forwarding only, into build/bench-quick (the smoke mode
# devtools/test.sh runs); never touches doc/.
# --report-only: boot nothing; collect, report (with --publish) and check
# the samples a previous run left in DIR, with that run's command and date.
# --profile: one more mac window per mode in the last round under perf
# (cpu-clock); reports by DSO and symbol in DIR/logs/perf-*.
#
# A benchmark, not a test: nothing here asserts a timing.
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# the command as given, for the results (before the options are consumed);
# a build directory of one machine is not written down
cmd="devtools/bench/run.sh${*:+ $*}"
if [ -n "${VFTOKEN_BUILD:-}" ] && [ "$VFTOKEN_BUILD" != "$ROOT/build" ]; then
	cmd="VFTOKEN_BUILD=<build dir> $cmd"
fi
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rounds=5
secs=10
warm=2
pairs=20
il_secs=2
scale_rounds=3
accel=icount
icount_shift=${VM_ICOUNT_SHIFT:-4}
quick=0
publish=0
interleave=1
scale=1
profile=0
report_only=0
out=

die() {
	echo "bench: error: $*" >&2
	exit 2
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--publish) publish=1 ;;
	--rounds | --secs | --warm | --pairs | --il-secs | --scale-rounds | --accel | --out)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		v=${1#--}
		printf -v "${v//-/_}" '%s' "$2"
		shift
		;;
	--no-interleave) interleave=0 ;;
	--no-scale) scale=0 ;;
	--no-doc) publish=0 ;;
	--profile) profile=1 ;;
	--report-only) report_only=1 ;;
	-h | --help)
		sed -n 's/^# usage: /usage: /p; s/^#  \{14\}/              /p' "${BASH_SOURCE[0]}" | head -n 4
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
if ! is_uint "$pairs" || [ "$pairs" -lt 2 ]; then
	die "--pairs '$pairs' is not a number >= 2"
fi
is_uint "$il_secs" || die "--il-secs '$il_secs' is not a positive number of seconds"
is_uint "$scale_rounds" || die "--scale-rounds '$scale_rounds' is not a positive number"
case $accel in
tcg | icount) ;;
*) die "--accel '$accel' is not tcg or icount" ;;
esac
[ "$quick" = 1 ] && [ "$publish" = 1 ] && die "--quick and --publish exclude each other"

if [ "$quick" = 1 ]; then
	rounds=1 secs=3 warm=1 accel=tcg interleave=0 scale=0
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
if [ "$report_only" = 1 ]; then
	if [ ! -s "$out/rounds.tsv" ] || [ ! -s "$out/command.txt" ]; then
		die "--report-only: no samples of a previous run in $out (rounds.tsv, command.txt)"
	fi
	cmd=$(cat "$out/command.txt")
	started=$(cat "$out/started.txt")
	# the phases that ran then
	[ -s "$out/interleave.tsv" ] || interleave=0
	[ -s "$out/scale.tsv" ] || scale=0
	grep -q '^accel=icount$' "$out/accel.txt" 2>/dev/null && accel=icount
	grep -q '^accel=tcg$' "$out/accel.txt" 2>/dev/null && accel=tcg
else
	rm -rf "$out/logs" "$out"/results.json "$out"/results.png "$out"/*.tsv "$out"/vm*.log \
		"$out/vm-time.txt"
	echo "$cmd" >"$out/command.txt"
	echo "$started" >"$out/started.txt"
	echo "accel=$accel" >"$out/accel.txt"
fi

# This machine's paths out of the samples: the build directory becomes
# "build" (or $VFTOKEN_BUILD when it is elsewhere), the clone ".".
scrub() {
	local b=build
	[ "$VFTOKEN_BUILD" = "$ROOT/build" ] || b=\$VFTOKEN_BUILD
	sed -e "s|$VFTOKEN_BUILD|$b|g" -e "s|$ROOT/|./|g" -e "s|$ROOT|.|g" "$1"
}

vm_pass=0
vm_fail=0
vm_time=0
# phase NAME TSV RUN.SH-ARGS...: one boot; its samples to $out/NAME.tsv
phase() {
	local name=$1 tsv=$2 line rc t0 p f
	shift 2
	t0=$(date +%s)
	echo "bench: phase $name: devtools/vm/run.sh $*"
	VFTOKEN_VM_OUT=$out/vm-$name VFTOKEN_VM_SCRATCH=$out/vm-scratch-$name VM_ICOUNT_SHIFT=$icount_shift \
		"$ROOT/devtools/vm/run.sh" --kernel 6.1 --all-pmds "$@" | tee "$out/vm-$name.log"
	rc=${PIPESTATUS[0]}
	vm_time=$((vm_time + $(date +%s) - t0))
	echo "$name $(($(date +%s) - t0))" >>"$out/vm-time.txt"
	line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed' "$out/vm-$name.log" | tail -n 1)
	p=$(echo "$line" | awk '{ print $2 + 0 }')
	f=$(echo "$line" | awk '{ print $4 + 0 }')
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	vm_pass=$((vm_pass + p))
	vm_fail=$((vm_fail + f))
	local dir
	dir=$(dirname "$(find "$out/vm-scratch-$name" -name "$tsv" 2>/dev/null | head -n 1)")
	if [ -s "$dir/$tsv" ]; then
		scrub "$dir/$tsv" >"$out/$name.tsv"
		mkdir -p "$out/logs/$name"
		cp -r "$dir/logs/." "$out/logs/$name/" 2>/dev/null
	else
		echo "bench: phase $name left no figures ($out/vm-scratch-$name/*/$tsv)"
	fi
}

# Per mode and round: set-up and start-ups ~30 s, then one PF window and a
# VF window per forwarding mode, each warm + secs + ~8 s; a profile ~40 s.
# Allow three times that under icount (one host thread for both vCPUs),
# twice otherwise, plus boot and the warm-up.
per_mode=$((30 + (1 + nmodes) * (warm + secs + 8) + 40 * profile))
slow=2
[ "$accel" = icount ] && slow=3
timeout=$((180 + slow * rounds * 2 * per_mode))
echo "bench: $rounds round(s), ${secs}s windows, ${warm}s warm-up, accel $accel -> $out"

# The host's load is not under our control (2 cores; other work may run):
# its CPU counters and load average around the VMs go into the results.
host_load() { echo "$1 $(date +%s.%N) $(head -n 1 /proc/stat) $(cut -d' ' -f1-3 /proc/loadavg)"; }
[ "$report_only" = 1 ] || host_load start >"$out/host-load.txt"
[ "$report_only" = 1 ] || phase rounds bench.tsv --accel "$accel" --pf-hub --timeout "$timeout" bench "${scen_args[@]}"
if [ "$interleave" = 1 ] && [ "$report_only" = 0 ]; then
	phase interleave bench.tsv --timeout $((300 + pairs * 2 * (il_secs + 8))) \
		bench --interleave "$pairs" --secs "$il_secs" --warm "$warm"
fi
if [ "$scale" = 1 ] && [ "$report_only" = 0 ]; then
	phase scale scale.tsv --accel icount --second-pf --timeout $((600 + scale_rounds * 1100)) \
		scale --rounds "$scale_rounds"
fi
[ "$report_only" = 1 ] || host_load end >>"$out/host-load.txt"

if [ -s "$out/rounds.tsv" ]; then
	col_args=(--png "$out/results.png" --command "$cmd" --date "$started"
		--host-load "$out/host-load.txt" --accel "$accel" --icount-shift "$icount_shift"
		--vm-time "$out/vm-time.txt")
	[ "$quick" = 1 ] && col_args+=(--quick)
	[ -s "$out/interleave.tsv" ] && col_args+=(--interleave "$out/interleave.tsv" --il-accel tcg)
	[ -s "$out/scale.tsv" ] && col_args+=(--scale "$out/scale.tsv" --scale-accel icount)
	$PY "$HERE/collect.py" "$out/rounds.tsv" "$out/results.json" "${col_args[@]}" ||
		echo "bench: collect.py failed"
fi

chk_args=(--png "$out/results.png" --no-path "$ROOT" --no-path "$VFTOKEN_BUILD")
[ "$interleave" = 1 ] && chk_args+=(--want interleave)
[ "$scale" = 1 ] && chk_args+=(--want scale)
if [ "$publish" = 1 ] && [ -s "$out/results.json" ]; then
	doc=$ROOT/doc/guides
	mkdir -p "$doc/img" "$doc/bench/samples"
	# only this script's samples: mp-attach.sh and paths.sh keep theirs here
	rm -f "$doc"/bench/results-*.json "$doc"/bench/samples/{rounds,interleave,scale}.tsv
	if cp "$out/results.png" "$doc/img/bench.png" &&
		cp "$out/results.json" "$doc/bench/results.json" &&
		cp "$out"/*.tsv "$doc/bench/samples/" &&
		$PY "$HERE/report.py" "$out/results.json" >"$doc/benchmark.rst.tmp"; then
		mv "$doc/benchmark.rst.tmp" "$doc/benchmark.rst"
		echo "bench: wrote doc/guides/benchmark.rst, doc/guides/img/bench.png," \
			"doc/guides/bench/results.json and doc/guides/bench/samples/"
		chk_args+=(--rst "$doc/benchmark.rst" --samples "$doc/bench/samples")
	else
		rm -f "$doc/benchmark.rst.tmp"
		echo "bench: report.py failed"
	fi
fi

$PY "$HERE/check.py" "$out/results.json" "${chk_args[@]}" | tee "$out/check.log"
chk_line=$(tail -n 1 "$out/check.log")
chk_pass=$(echo "$chk_line" | awk '{ print $1 + 0 }')
chk_fail=$(echo "$chk_line" | awk '{ print $3 + 0 }')
[ -s "$out/results.json" ] || chk_fail=$((chk_fail + 1))
if [ -s "$out/results.json" ]; then
	$PY - "$out/results.json" <<'PY'
import json
import sys

r = json.load(open(sys.argv[1]))
for k, c in r['headline']['ci'].items():
    if c.get('ratio') is None:
        print('bench: ours/stock %s: n/a' % k)
    elif c.get('lo') is None:
        print('bench: ours/stock %s: %.3f (n=%d, no interval)' % (k, c['ratio'], c['n']))
    else:
        print('bench: ours/stock %s: %.3f [%.3f, %.3f] (n=%d, +-%.1f %%)'
              % (k, c['ratio'], c['lo'], c['hi'], c['n'], c['half_pct']))
PY
fi
[ -s "$out/vm-time.txt" ] && vm_time=$(awk '{ t += $2 } END { print t + 0 }' "$out/vm-time.txt")
echo "bench: VM time ${vm_time} s ($(tr '\n' ' ' <"$out/vm-time.txt" 2>/dev/null))"
echo "bench: $((vm_pass + chk_pass)) passed, $((vm_fail + chk_fail)) failed"
[ $((vm_fail + chk_fail)) = 0 ]
