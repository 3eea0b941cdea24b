#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# Secondary attach time, the sriov bus against stock DPDK, in one boot of
# the rig (devtools/vm/scenarios/multiprocess.sh bench N): a stock primary
# (--vfio-vf-token) on VF0/VF1 and a primary with the plugin
# (vf_token_file=) on VF2/VF3 run side by side; N rounds in ABBA order
# each launch dpdk-proc-info --stats against either (stock: with
# --vfio-vf-token, the only way it attaches; ours: -d the plugin, no
# token) and take the time from launch to its first "NIC statistics"
# line.
#
# usage: mp-attach.sh [--rounds N] [--accel icount|tcg] [--no-doc]
#
# Writes build/bench-mp/attach.tsv (the raw figures) and results.json,
# and, unless --no-doc, doc/guides/bench_multiprocess.rst with the ratio
# ours/stock and its 95 % interval (mp-attach.py, stats.py's method) and
# the raw figures in doc/guides/bench/samples/mp-attach.tsv. --accel
# icount (the default) times the guest by its instruction count, so the
# shared host's load hardly moves the figures (devtools/bench/README.md).
# A benchmark, not a test: nothing here asserts a timing.
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
OUT=$BUILD/bench-mp
cmd="devtools/bench/mp-attach.sh${*:+ $*}"
rounds=6
accel=icount
doc=1
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:?--rounds N} && shift ;;
	--accel) accel=${2:?--accel icount|tcg} && shift ;;
	--no-doc) doc=0 ;;
	*)
		echo "mp-attach: unknown argument '$1' (expected --rounds N, --accel icount|tcg, --no-doc)" >&2
		exit 2
		;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] ||
	{ echo "mp-attach: --rounds '$rounds' is not a positive number of rounds" >&2; exit 2; }
case $accel in
icount | tcg) ;;
*) echo "mp-attach: --accel '$accel' is not icount or tcg" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
export VFTOKEN_BUILD="$BUILD"
VFTOKEN_VM_OUT="$OUT/vm" "$ROOT/devtools/vm/run.sh" --kernel 6.1 --accel "$accel" \
	--timeout 1500 multiprocess bench "$rounds"
rc=$?
scratch=$OUT/vm/scratch/multiprocess-6.1
tsv=$scratch/attach.tsv
[ -s "$tsv" ] || {
	echo "mp-attach: no figures ($tsv)"
	echo "mp-attach: 0 passed, 1 failed"
	exit 1
}
cp "$tsv" "$OUT/attach.tsv"
[ "$doc" = 1 ] && cp "$tsv" "$ROOT/doc/guides/bench/samples/mp-attach.tsv"
doc_arg=()
[ "$doc" = 1 ] && doc_arg=(--doc "$ROOT/doc/guides/bench_multiprocess.rst")
python3 "$HERE/mp-attach.py" "$OUT/attach.tsv" --env "$scratch/attach.env" \
	--json "$OUT/results.json" --accel "$accel" --command "$cmd" "${doc_arg[@]}" || rc=1
exit "$rc"
