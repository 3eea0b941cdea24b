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

# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init mp-attach bench-mp "$@"
rounds=6
accel=icount
bench_opt --rounds rounds '^[1-9][0-9]*$' N 'a positive number of rounds'
bench_opt --accel accel '^(icount|tcg)$' 'icount|tcg' 'icount or tcg'
bench_parse "$@"
bench_vm 6.1 "$accel" 1500 multiprocess bench "$rounds"
rc=$BENCH_RC
bench_take "$BENCH_SCRATCH/attach.tsv" attach.tsv mp-attach.tsv
bench_page bench_multiprocess.rst
python3 "$HERE/mp-attach.py" "$OUT/attach.tsv" --env "$BENCH_SCRATCH/attach.env" \
	--json "$OUT/results.json" --accel "$accel" --command "$BENCH_CMD" \
	"${BENCH_DOC_ARG[@]}" || rc=1
exit "$rc"
