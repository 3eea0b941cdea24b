#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# What devtools/test.sh's background work costs a VM: one VM scenario
# booted again and again, beside a compiler load (LOAD loops compiling
# libvftoken's sources with cc -O2, like the rig kernel's make -j3) run
#   none       without the load,
#   autogroup  in a session with its autogroup at nice 19 (lowprio before
#              2026-12-02's cgroup),
#   idle       in a cpu cgroup with cpu.idle = 1 (devtools/lowprio.sh),
# the three in a rotating order each round. Per run: the scenario's and
# QEMU's seconds (devtools/vm/run.sh's own lines) and the load's CPU
# seconds. Then the ratios autogroup / none, idle / none and idle /
# autogroup of the scenario's seconds, paired by round, with their 95 %
# interval (devtools/bench/stats.py). A measurement, not a test.
#
# usage: bgprio.sh [--rounds N] [--kernel K] [--load N] [--no-doc]
#                  [SCENARIO [ARGS...]]
#        bgprio.sh --from RUNS.TSV [--no-doc] [same options as that run]
#        (defaults: 5 rounds, kernel 6.1, 3 loops, bus-errors)
# Writes build/bench-bgprio/runs.tsv and (without --no-doc, by
# devtools/bench/bgprio.py) doc/guides/bench_bgprio.rst with its sample
# doc/guides/bench/samples/bgprio.tsv; prints the summary. --from writes
# the summary and the page from the runs of an earlier run.
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
OUT=$BUILD/bench-bgprio
# shellcheck source=../lowprio.sh
. "$ROOT/devtools/lowprio.sh"

rounds=5
kernel=6.1
load=3
doc=1
from=
# the measuring command, for the page (without --from and its file)
cmd=devtools/bench/bgprio.sh
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:-}; shift 2 || exit 2 ;;
	--kernel) kernel=${2:-}; shift 2 || exit 2 ;;
	--load) load=${2:-}; shift 2 || exit 2 ;;
	--no-doc) doc=0; shift ;;
	--from)
		from=${2:-}
		shift 2 || exit 2
		;;
	-h | --help) sed -n '3,27p' "$0"; exit 0 ;;
	-*) echo "bgprio: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -ge 2 ] || { echo "bgprio: --rounds '$rounds': expected 2 or more" >&2; exit 2; }
[[ $load =~ ^[0-9]+$ ]] && [ "$load" -ge 1 ] || { echo "bgprio: --load '$load': expected 1 or more" >&2; exit 2; }
[ $# -gt 0 ] || set -- bus-errors
cmd+=" --rounds $rounds --kernel $kernel --load $load $*"
# report TSV SCENARIO [ARGS...]: the summary, and the page unless --no-doc
report() {
	local tsv=$1 a
	shift
	a=(--command "$cmd" --scenario "$*" --kernel "$kernel" --load "$load")
	[ "$doc" = 1 ] && a+=(--doc "$ROOT/doc/guides/bench_bgprio.rst"
		--sample "$ROOT/doc/guides/bench/samples/bgprio.tsv")
	python3 "$HERE/bgprio.py" "$tsv" "${a[@]}"
}
if [ -n "$from" ]; then
	[ -r "$from" ] || { echo "bgprio: --from '$from': no such file" >&2; exit 2; }
	report "$from" "$@"
	exit
fi
[ "$(id -u)" = 0 ] || { echo "bgprio: run as root (the cgroup, the VM)" >&2; exit 2; }
lowprio_init idle || exit 1
trap 'lowprio_done' EXIT
mkdir -p "$OUT" || exit 1
LOWPRIO_IDS=$OUT/load.sids

# The load: $load loops compiling every libvftoken source, each started
# by lowprio (devtools/lowprio.sh, as test.sh starts its background) in a
# session of its own, whose id lowprio writes to $LOWPRIO_IDS; $1 = none |
# autogroup (lowprio without its cgroup) | idle.
LOAD_SIDS=()
load_start() {
	local i cg
	LOAD_SIDS=()
	[ "$1" = none ] && return 0
	cg=$LOWPRIO_CG
	[ "$1" = autogroup ] && cg=
	: >"$LOWPRIO_IDS"
	for ((i = 0; i < load; i++)); do
		(LOWPRIO_CG=$cg lowprio bash -c 'while :; do for f in "$1"/*.c; do
			cc -O2 -D_GNU_SOURCE -I"$1" -c "$f" -o /dev/null; done; done' \
			load "$ROOT/lib/vftoken" >/dev/null 2>&1) &
		# not this shell's job: no "Killed" report when load_stop ends it
		disown "$!"
	done
	for ((i = 0; i < 50 && $(wc -l <"$LOWPRIO_IDS") < load; i++)); do sleep 0.1; done
	mapfile -t LOAD_SIDS <"$LOWPRIO_IDS"
}
# CPU seconds of the load's sessions so far (their processes alive now,
# and the children they reaped), from /proc/PID/stat.
load_cpu() {
	local s t=0 p
	for s in "${LOAD_SIDS[@]}"; do
		for p in $(ps -e -o pid=,sid= | awk -v s="$s" '$2 == s { print $1 }'); do
			t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
		done
	done
	echo "$t"
}
load_alive() {
	local s
	for s in "${LOAD_SIDS[@]}"; do pgrep -s "$s" >/dev/null && return 0; done
	return 1
}
load_stop() {
	local s i
	for s in "${LOAD_SIDS[@]}"; do pkill -KILL -s "$s"; done
	for ((i = 0; i < 50; i++)); do
		load_alive || break
		sleep 0.1
	done
	LOAD_SIDS=()
}

modes=(none autogroup idle)
tsv=$OUT/runs.tsv
printf 'round\tmode\tscenario_s\tqemu_s\tload_cpu_s\trc\n' >"$tsv"
tck=$(getconf CLK_TCK)
echo "bgprio: $rounds rounds of ${modes[*]} (rotating order), $* on $kernel, load $load compile loops; log per run in $OUT"
for ((r = 0; r < rounds; r++)); do
	for ((j = 0; j < 3; j++)); do
		m=${modes[$(((r + j) % 3))]}
		load_start "$m"
		sleep 2
		c0=$(load_cpu)
		log=$OUT/run-$r-$m.log
		VFTOKEN_BUILD=$BUILD "$ROOT/devtools/vm/run.sh" --kernel "$kernel" --quiet "$@" >"$log" 2>&1
		rc=$?
		c1=$(load_cpu)
		load_stop
		sc=$(sed -n 's/.*scenario: exit status [0-9]* (\([0-9.]*\) s).*/\1/p' "$log" | tail -n 1)
		qe=$(sed -n 's/.*total in QEMU \([0-9.]*\) s.*/\1/p' "$log" | tail -n 1)
		lc=$(awk -v a="$c0" -v b="$c1" -v t="$tck" 'BEGIN { printf "%.1f", (b - a) / t }')
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$m" "${sc:-NA}" "${qe:-NA}" "$lc" "$rc" >>"$tsv"
		echo "bgprio: round $r $m: scenario ${sc:-?} s, in QEMU ${qe:-?} s, load ${lc} CPU s, exit $rc"
	done
done
report "$tsv" "$@"
