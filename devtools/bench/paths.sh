#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The VFIO path benchmark: the sriov bus on the group path against the
# vfio cdev + iommufd path, same VFs, same kernel (the rig's 7.2-iommufd),
# one boot, rounds alternating ABBA (devtools/vm/scenarios/bench-paths.sh).
#
# usage: paths.sh [--rounds N] [--secs S] [--no-doc]
#
# Writes build/bench-paths/paths.tsv (the raw per-run figures) and
# results.json, and, unless --no-doc, doc/guides/bench_paths.rst with the
# ratios cdev/group and their 95 % confidence intervals (paths.py) and the
# raw figures in doc/guides/bench/samples/paths.tsv.
# A benchmark, not a test: nothing here asserts a timing.
set -u

HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${VFTOKEN_BUILD:-$ROOT/build}
OUT=$BUILD/bench-paths
cmd="devtools/bench/paths.sh${*:+ $*}"
rounds=4
secs=5
doc=1
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:?--rounds N} && shift ;;
	--secs) secs=${2:?--secs S} && shift ;;
	--no-doc) doc=0 ;;
	*)
		echo "paths: unknown argument '$1'" >&2
		exit 2
		;;
	esac
	shift
done
mkdir -p "$OUT"
export VFTOKEN_BUILD="$BUILD"
VFTOKEN_VM_OUT="$OUT/vm" "$ROOT/devtools/vm/run.sh" --kernel 7.2-iommufd \
	--timeout 1800 bench-paths --rounds "$rounds" --secs "$secs"
rc=$?
tsv=$OUT/vm/scratch/bench-paths-7.2-iommufd/paths.tsv
[ -s "$tsv" ] || {
	echo "paths: no figures ($tsv)"
	echo "paths: 0 passed, 1 failed"
	exit 1
}
cp "$tsv" "$OUT/paths.tsv"
[ "$doc" = 1 ] && cp "$tsv" "$ROOT/doc/guides/bench/samples/paths.tsv"
doc_arg=()
[ "$doc" = 1 ] && doc_arg=(--doc "$ROOT/doc/guides/bench_paths.rst")
python3 "$HERE/paths.py" "$OUT/paths.tsv" --json "$OUT/results.json" \
	--command "$cmd" "${doc_arg[@]}" || rc=1
exit "$rc"
