#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
#
# The start-up benchmark: the two ways of devtools/bench/run.sh (stock:
# vftoken CLI + DPDK's pci bus with --vfio-vf-token; ours: the sriov bus
# plugin with num_vfs= and vf_token_file=) started again and again in one
# boot, P pairs in ABBA order, with no forwarding window in between
# (devtools/vm/scenarios/bench.sh --startup-only): enough pairs for
# intervals of a few per cent where run.sh's rounds give one start-up pair
# each.
#
# usage: startup.sh [--pairs P] [--no-doc]
#
# Writes build/bench-startup/startup.tsv (the raw figures, bench.sh's
# ROUND MODE KEY VALUE lines) and results.json, and, unless --no-doc,
# doc/guides/bench_startup.rst with every start-up ratio ours / stock and
# its 95 % interval (startup.py) and the raw figures in
# doc/guides/bench/samples/startup.tsv. The rig runs under icount: the
# guest's clock counts its instructions (devtools/bench/README.md).
# A benchmark, not a test: nothing here asserts a timing.
set -u

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init startup bench-startup "$@"
pairs=30
bench_opt --pairs pairs '^([2-9]|[1-9][0-9]+)$' P 'a number of pairs >= 2'
bench_parse "$@"
# a pair: ~100 s of guest time, about half that in wall time on an idle
# host; allow 2 minutes
bench_vm 6.1 icount $((600 + pairs * 120)) bench --startup-only --rounds "$pairs"
rc=$BENCH_RC
# this machine's paths out of the samples (the facts name testpmd and the
# plugin): the build directory becomes "build", the clone "."
if [ -s "$BENCH_SCRATCH/bench.tsv" ]; then
	sed -e "s|$BUILD|build|g" -e "s|$ROOT/|./|g" "$BENCH_SCRATCH/bench.tsv" >"$OUT/startup.raw"
fi
bench_take "$OUT/startup.raw" startup.tsv startup.tsv
bench_page bench_startup.rst
[ "$BENCH_DOC" = 1 ] && BENCH_DOC_ARG+=(--sample "$ROOT/doc/guides/bench/samples/startup.tsv")
python3 "$HERE/startup.py" "$OUT/startup.tsv" --host-load "$OUT/host-load.txt" \
	--revision "$BENCH_REV" --json "$OUT/results.json" \
	--command "$BENCH_CMD" "${BENCH_DOC_ARG[@]}" || rc=1
exit "$rc"
